"""Search samples in Vietnamese, German, French and Turkish, the queries that must find them, typed
with and without their accents and in either case (Turkish İ/ı included), and the two ways the
program searches (the TUI's queue and CaseDesk.list, which `case list --search` calls)."""

from __future__ import annotations

from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.queue import QueueQuery, QueueService, QueueView
from tests.helpers_db import draft

# language: (customer, subject, description); a customer is an account name (no spaces)
SAMPLES = {
    "vi": ("Nguyễn.Đức", "Đặng Thị Hương báo lỗi", "Lưu Văn Ơn: ổ cứng bị hỏng."),
    "de": ("Müller-GmbH", "Größe der Straße falsch", "Herr Jürgen Müller ruft an."),
    "fr": ("Noël.Garçon", "L'Œuvre de l'élève", "Le garçon a écrit à Noël."),
    "tr": ("İstanbul_Şişli", "Iğdır şubesi ılık", "ŞİŞLİ ofisi, IĞDIR deposu."),
}
# What an agent types, and which samples it must find (nothing else).
QUERIES = [
    ("nguyen duc", {"vi"}),
    ("NGUYỄN", {"vi"}),
    ("đức", {"vi"}),
    ("dang", {"vi"}),
    ("ĐẶNG", {"vi"}),
    ("huong", {"vi"}),
    ("hương", {"vi"}),
    ("lưu ơn", {"vi"}),
    ("luu on", {"vi"}),
    ("o cung", {"vi"}),
    ("muller", {"de"}),
    ("Müller", {"de"}),
    ("MÜLLER", {"de"}),
    ("mül", {"de"}),
    ("jurgen", {"de"}),
    ("strasse", {"de"}),
    ("STRASSE", {"de"}),
    ("Straße", {"de"}),
    ("grosse", {"de"}),
    ("GRÖSSE", {"de"}),
    ("garcon", {"fr"}),
    ("GARÇON", {"fr"}),
    ("eleve", {"fr"}),
    ("Élève", {"fr"}),
    ("oeuvre", {"fr"}),
    ("Œuvre", {"fr"}),
    ("OEUVRE", {"fr"}),
    ("noel", {"fr"}),
    ("NOËL", {"fr"}),
    ("ecrit", {"fr"}),
    ("istanbul", {"tr"}),
    ("ISTANBUL", {"tr"}),
    ("İstanbul", {"tr"}),
    ("ıstanbul", {"tr"}),
    ("igdir", {"tr"}),
    ("IĞDIR", {"tr"}),
    ("ığdır", {"tr"}),
    ("sisli", {"tr"}),
    ("ŞİŞLİ", {"tr"}),
    ("şişli", {"tr"}),
    ("ilik", {"tr"}),
    ("ılık", {"tr"}),
    ("m ller", set()),  # PostgreSQL's old fold indexed "Müller" as these two words
    ("zzz", set()),
]


def searches(desk: CaseDesk):
    """The two ways the program searches, each giving the refs found: the TUI's queue (its open
    and its resolved views: every case) and CaseDesk.list (the CLI's `case list --search`)."""
    service = QueueService(desk)

    def queue(typed: str) -> set[str]:
        refs = set()
        for view in (QueueView.ALL_OPEN, QueueView.RESOLVED):
            page = service.first(QueueQuery(view=view, search=typed), 500)
            assert page.at_end
            refs |= {r.ref for r in page.rows}
        return refs

    def listed(typed: str) -> set[str]:
        return {r.ref for r in desk.list(search=typed, limit=10_000)}

    return queue, listed


def assert_finds_every_sample(desk: CaseDesk, lang_of: dict[str, str]) -> None:
    expected = dict(QUERIES)
    for search in searches(desk):
        found = {typed: {lang_of[ref] for ref in search(typed)} for typed in expected}
        wrong = [(typed, found[typed], want) for typed, want in QUERIES if found[typed] != want]
        assert wrong == [], search.__name__


def create_samples(desk: CaseDesk) -> dict[str, str]:
    """One case per sample, created in the program; returns each case's language by ref."""
    lang_of = {}
    for lang, (customer, subject, description) in SAMPLES.items():
        case = draft(customer=customer, subject=subject, description=description)
        lang_of[desk.create(case).ref] = lang
    return lang_of
