"""Customer text is data: make it inert for a terminal and foldable for search."""

from __future__ import annotations

import re
import unicodedata

# CSI / OSC / DCS / other escape sequences, then any remaining C0/C1 control except \n and \t.
# A string sequence (OSC, DCS, ...) ends at its terminator, or unterminated at the end of the
# line: never past a newline, or one stray "ESC ]" would hide every later line of a complaint.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi overrides and isolates can reorder the rest of a terminal line.
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


# Lone surrogates: bytes that were not UTF-8, smuggled in by Python's surrogateescape (argv,
# environment, file names). No database can store them.
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidText(ValueError):
    """Text that cannot be stored; str() is one sentence starting with the field's name."""


def clean_input(text: str, what: str = "text") -> str:
    """The one gate for text a service stores: NUL removed (PostgreSQL text cannot hold it, and
    it carries no meaning) and composed to NFC (so one letter has one form for search); text
    that is not valid Unicode is refused (InvalidText). Everything else is kept verbatim and
    neutralised on display."""
    if undecodable(text):
        raise InvalidText(f"{what}: this is not valid UTF-8 text.")
    return unicodedata.normalize("NFC", text.replace("\x00", ""))


def undecodable(text: str) -> bool:
    """True if the text came from bytes that were not UTF-8 (it holds lone surrogates)."""
    return _SURROGATE.search(text) is not None


def has_unstorable(text: str) -> bool:
    """True if the text holds NUL or undecodable bytes: no stored name or ref can match it."""
    return "\x00" in text or undecodable(text)


def storable(text: str) -> str:
    """Text from outside (a file path, an error message) as a record can hold it: bytes that
    were not UTF-8 written as escapes, NUL removed."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "")


def strip_control(text: str, *, keep_newlines: bool = True) -> str:
    """Remove terminal escape sequences and control characters; keep newlines and tabs."""
    text = _ESCAPE_SEQ.sub("", text)
    text = _BIDI_CONTROL.sub("", text)
    text = _CONTROL.sub("", text)
    if not keep_newlines:
        text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return text


def one_line(text: str, limit: int | None = None) -> str:
    """A single display line: controls stripped, whitespace collapsed, optionally cut."""
    flat = " ".join(strip_control(text, keep_newlines=False).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(0, limit - 1)] + "…"
    return flat


def first_line(text: str) -> str:
    """The first line that holds anything (a request's gist), as one display line."""
    for line in text.splitlines():
        flat = one_line(line)
        if flat:
            return flat
    return ""


# Letters that Unicode does not decompose into a base letter and a mark, spelled as their
# plain Latin equivalents (after case folding, so only the lower-case forms are needed).
_UNDECOMPOSED = str.maketrans(
    {
        "đ": "d",  # Vietnamese, Croatian
        "ð": "d",
        "ı": "i",  # Turkish dotless i (İ decomposes to I + dot)
        "ł": "l",
        "ø": "o",
        "œ": "oe",
        "æ": "ae",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
    }
)
# A search word: a run of letters and digits (Unicode's), after folding; only its beginning
# counts past MAX_WORD_CHARS (PostgreSQL cannot index a word of over 2,047 bytes at all).
_SEARCH_WORD = re.compile(r"[^\W_]+")
MAX_WORD_CHARS = 200


def fold(text: str) -> str:
    """Accent- and case-insensitive form for search: "Nguyễn Đức" -> "nguyen duc",
    "Straße" -> "strasse", "İstanbul"/"ISTANBUL"/"ıstanbul" -> "istanbul", "Œuvre" -> "oeuvre".

    The one fold of the program: search documents (both databases) and queries are reduced by
    it (see search_words). Changing it changes what every indexed case holds, so it needs a
    migration that re-indexes the cases (as 0004 does)."""
    # Case first: "İ".casefold() is "i" + a combining dot, which the next step removes.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Again: compatibility forms can decompose to capitals ("ℌ" -> "H").
    return stripped.casefold().translate(_UNDECOMPOSED)


def search_words(text: str) -> list[str]:
    """The words search compares, in order: the folded text's runs of letters and digits
    ("C-2026-00042 Müller" -> ["c", "2026", "00042", "muller"]). A case's indexed document and
    every word of a query are reduced by this same function."""
    return [word[:MAX_WORD_CHARS] for word in _SEARCH_WORD.findall(fold(text))]


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A file name that cannot leave the folder it is saved into, nor hide as a dotfile."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = fold(strip_control(base, keep_newlines=False))
    # Trimmed again after the cut, which could leave a trailing space or dot behind.
    base = _SAFE_NAME.sub("_", base).strip(" .")[:120].rstrip(" .")
    return base or fallback
