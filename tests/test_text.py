"""Hostile customer text (SPEC §5 "Bad input"): shown as text, never as terminal control.

Rich markup is deliberately *not* touched here: it is made inert where it is displayed (rich
Text objects), so strip_control must give it back unchanged.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaint_tui.domain.text import (
    clean_input,
    fold,
    one_line,
    safe_filename,
    search_words,
    strip_control,
)

ESC = "\x1b"
ST = ESC + "\\"
BEL = "\x07"

# Whatever a terminal would act on: C0 (bar \n and \t), DEL, C1, bidi embeddings/overrides/isolates.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]x[/]",
        "[link=https://e]y[/link]",
        "[/]",
        r"\[not markup]",
        "[red]Nguyễn Đức Thọ[/red] đã phàn nàn",
        ":warning: 50% [b]off[/b]",
    ],
    ids=["bold-red", "link", "close-tag", "escaped", "vietnamese-in-markup", "emoji-code"],
)
def test_rich_markup_survives_unchanged(text: str) -> None:
    assert strip_control(text) == text
    assert one_line(text) == text


HOSTILE = [
    ("csi-colour", f"a{ESC}[31mred{ESC}[0m b", "ared b"),
    ("csi-private-mode", f"x{ESC}[?25ly", "xy"),
    ("csi-clear-screen", f"{ESC}[2J{ESC}[Hok", "ok"),
    ("csi-cursor-up-overwrite", f"paid{ESC}[1A{ESC}[2Krefund", "paidrefund"),
    ("osc8-hyperlink-st", f"{ESC}]8;;https://evil.example{ST}click{ESC}]8;;{ST}", "click"),
    ("osc8-hyperlink-bel", f"{ESC}]8;;https://evil.example{BEL}click{ESC}]8;;{BEL}", "click"),
    ("osc-window-title", f"{ESC}]0;pwned{BEL}ok", "ok"),
    ("osc52-clipboard", f"{ESC}]52;c;cm0gLXJmIC8={BEL}after", "after"),
    ("unterminated-osc", f"x{ESC}]0;title", "x"),
    (
        "unterminated-osc-keeps-later-lines",
        f"My VPS is down.{ESC}]0;\nI lost data.\nPlease refund.",
        "My VPS is down.\nI lost data.\nPlease refund.",
    ),
    ("unterminated-dcs-keeps-later-lines", f"a{ESC}Pq\nsecond\nthird", "a\nsecond\nthird"),
    ("dcs", f"{ESC}P1$qm{ST}after", "after"),
    ("apc", f"{ESC}_payload{ST}after", "after"),
    ("eight-bit-csi", "\x9b31mX", "X"),
    ("two-byte-escape", f"a{ESC}Mb", "ab"),
    ("lone-escape-at-end", f"x{ESC}", "x"),
    ("c0-controls", "a\x00\x01\x07\x08\x0b\x0c\x0e\x1f b", "a b"),
    ("carriage-return", "ok\rEVIL", "okEVIL"),
    ("crlf-becomes-lf", "line one\r\nline two", "line one\nline two"),
    ("delete", "a\x7fb", "ab"),
    ("c1-controls", "a\x80\x85\x8d\x90\x9d\x9fb", "ab"),
    ("bidi-override-rlo", "invoice\u202egpj.exe", "invoicegpj.exe"),
    ("bidi-embeddings", "\u202aa\u202bb\u202cc\u202dd", "abcd"),
    ("bidi-isolates", "\u2066a\u2067b\u2068c\u2069", "abc"),
    ("newlines-and-tabs-kept", "a\tb\nc\n\n\td", "a\tb\nc\n\n\td"),
    ("vietnamese-kept", "Nguyễn Đức Thọ — giảm 50%!", "Nguyễn Đức Thọ — giảm 50%!"),
    ("emoji-kept", "server 🔥 down", "server 🔥 down"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_strip_control(text: str, expected: str) -> None:
    assert strip_control(text) == expected


def test_strip_control_without_newlines() -> None:
    # the carriage return is removed as a control, the line feed becomes a space
    assert strip_control("a\nb\tc\r\nd", keep_newlines=False) == "a b c d"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_strip_control_leaves_nothing_a_terminal_would_act_on(text: str) -> None:
    out = strip_control(text)
    assert not FORBIDDEN.search(out)
    assert "\x1b" not in out
    assert strip_control(out) == out
    flat = one_line(text)
    assert "\n" not in flat and "\t" not in flat and not FORBIDDEN.search(flat)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "[b]", "\n", "\t", ESC, "[", "]", "\x07", "\\", "8;;", "31m", "\u202e", "\x9b"]
        ),
        max_size=30,
    ).map("".join)
)
def test_strip_control_on_escape_soup(text: str) -> None:
    out = strip_control(text)
    assert not FORBIDDEN.search(out)
    assert out.count("\n") == text.count("\n")  # newlines are never eaten


ONE_LINE = [
    ("collapses-whitespace", "  a \n\n b\t\tc  ", None, "a b c"),
    ("strips-controls", f"a{ESC}[31m b\u202e", None, "a b"),
    ("short-enough", "abcdef", 6, "abcdef"),
    ("cut-with-ellipsis", "abcdef", 4, "abc…"),
    ("cut-to-one", "abcdef", 1, "…"),
]


@pytest.mark.parametrize(
    ("text", "limit", "expected"), [c[1:] for c in ONE_LINE], ids=[c[0] for c in ONE_LINE]
)
def test_one_line(text: str, limit: int | None, expected: str) -> None:
    assert one_line(text, limit) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.integers(1, 40))
def test_one_line_respects_its_limit(text: str, limit: int) -> None:
    assert len(one_line(text, limit)) <= limit


FOLD = [
    ("name", "Nguyễn Đức Thọ", "nguyen duc tho"),
    ("upper-case", "ĐẶNG THỊ HƯƠNG", "dang thi huong"),
    ("horn-and-breve", "Trần Văn Ơn, Lưu Ắt", "tran van on, luu at"),
    ("city", "Hồ Chí Minh", "ho chi minh"),
    ("lower-d-stroke", "đường", "duong"),
    ("ascii-untouched", "vps-01 down", "vps-01 down"),
    ("german", "Müller, Straße, Größe, STRASSE", "muller, strasse, grosse, strasse"),
    ("french", "Garçon, élève, Œuvre, Noël, Æsop", "garcon, eleve, oeuvre, noel, aesop"),
    ("turkish-dotted", "İstanbul, İSTANBUL, Şişli", "istanbul, istanbul, sisli"),
    ("turkish-dotless", "Iğdır, IĞDIR, ılık", "igdir, igdir, ilik"),
    ("capital-from-compatibility", "ℌ ﬁ ²", "h fi 2"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FOLD], ids=[c[0] for c in FOLD])
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_fold_is_stable(text: str) -> None:
    """Folding folded text changes nothing: a query and a document meet after one fold each."""
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("C-2026-00042 Müller", ["c", "2026", "00042", "muller"]),
        ("Nguyễn_Đức: ổ cứng!", ["nguyen", "duc", "o", "cung"]),
        ("L'Œuvre de l'élève", ["l", "oeuvre", "de", "l", "eleve"]),
        ("ŞİŞLİ/Iğdır\n\x1b[31m", ["sisli", "igdir", "31m"]),
        ("Иванов Ελλάδα 東京", ["иванов", "ελλαδα", "東京"]),
        ("— … !!", []),
    ],
)
def test_search_words(text: str, words: list[str]) -> None:
    assert search_words(text) == words


@pytest.mark.parametrize("text", ["Nguyễn Đức Thọ", "Hương Giang", "Phở bò"])
def test_fold_ignores_unicode_normal_form(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert nfc != nfd
    assert fold(nfc) == fold(nfd)


SAFE_NAMES = [
    ("plain", "invoice.pdf", "invoice.pdf"),
    ("vietnamese", "Hóa đơn tháng 5.pdf", "hoa don thang 5.pdf"),
    ("unix-traversal", "../../etc/passwd", "passwd"),
    ("windows-path", "C:\\Users\\an\\Desktop\\log.txt", "log.txt"),
    ("dotfile", ".bashrc", "bashrc"),
    ("dot-dot", "..", "attachment"),
    ("dot", ".", "attachment"),
    ("trailing-slash", "dir/", "attachment"),
    ("empty", "", "attachment"),
    ("blank", "   ", "attachment"),
    ("controls-only", "\x1b[31m\x00\x07", "attachment"),
    ("escape-before-dot", "\x1b[31m.hidden", "hidden"),
    ("fullwidth-slashes", "／..／etc／passwd", "_.._etc_passwd"),
    ("shell-chars", "a;b|c$(d).txt", "a_b_c_d_.txt"),
]


@pytest.mark.parametrize(
    ("name", "expected"), [c[1:] for c in SAFE_NAMES], ids=[c[0] for c in SAFE_NAMES]
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_fallback_is_configurable() -> None:
    assert safe_filename("..", fallback="file") == "file"


def test_safe_filename_cut_does_not_leave_a_trailing_space_or_dot() -> None:
    name = "a" * 119 + " .txt"
    assert safe_filename(name) == "a" * 119


def test_safe_filename_trims_leading_dots_before_the_cut() -> None:
    assert safe_filename("." * 200 + "report.pdf") == "report.pdf"
    assert safe_filename("b" * 200 + ".pdf") == "b" * 120


def check_safe(result: str) -> None:
    assert result
    assert "/" not in result and "\\" not in result and "\x00" not in result
    assert result not in (".", "..")
    assert not result.startswith(".")
    assert not result.endswith((".", " "))
    assert len(result) <= 120
    assert re.fullmatch(r"[A-Za-z0-9._ -]+", result)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_safe_filename_is_always_safe(name: str) -> None:
    result = safe_filename(name)
    check_safe(result)
    assert safe_filename(result) == result


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [".", "..", "/", "\\", " ", "a", "é", "／", "．", "\x00", "\x1b", "\u202e"]
        ),
        max_size=40,
    ).map("".join)
)
def test_safe_filename_on_separator_soup(name: str) -> None:
    check_safe(safe_filename(name))


def test_clean_input_removes_nul_and_keeps_the_rest() -> None:
    text = f"a\x00b [bold]x[/] {ESC}[31m\nc\td"
    assert clean_input(text) == f"ab [bold]x[/] {ESC}[31m\nc\td"
