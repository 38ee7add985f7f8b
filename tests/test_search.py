"""One fold for search, on SQLite and PostgreSQL: a case is found by the same words whether it was
created in the program or bulk-loaded by the demo seeder, and the TUI's queue and the CLI's
`case list --search` (CaseDesk.list) find the same cases (samples: tests/helpers_search.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from complaint_tui.services import demo
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Case
from tests.helpers_db import draft, seed_demo_as_admin
from tests.helpers_search import SAMPLES, assert_finds_every_sample, create_samples, searches


def test_cases_created_in_the_program_are_found_in_every_language(ctx, agents):
    desk = CaseDesk(ctx, agents["alice"])
    assert_finds_every_sample(desk, create_samples(desk))
    _assert_index_holds_the_documents(ctx)


def _seed_multilingual_demo(ctx, monkeypatch, count: int) -> None:
    """The demo seeder's bulk path, with one template per language (the sample's customer name
    in its description) and the customer pool's names in those languages too. The demo's other
    words are kept out, so that each query's matches are exactly its language's cases."""
    templates = tuple(
        ("Other", ("VPS",), subject, f"{customer} {description}")
        for customer, subject, description in SAMPLES.values()
    )
    monkeypatch.setattr(demo, "TEMPLATES", templates)
    monkeypatch.setattr(demo, "FAMILY", ("Zoltan",))
    monkeypatch.setattr(demo, "GIVEN", ("Xu",))
    monkeypatch.setattr(demo, "EN_NAMES", ("Jörg", "Françoise", "Işıl"))
    # More cases than prototypes: clones too. Fewer than 8 prototypes: none of them is made
    # hostile (its subject replaced), so every case has its language's subject.
    monkeypatch.setattr(demo, "PROTOTYPES", 7)
    seed_demo_as_admin(ctx, count, 3)


def test_bulk_loaded_cases_are_found_like_created_ones(ctx, monkeypatch):
    _seed_multilingual_demo(ctx, monkeypatch, 90)
    desk = CaseDesk(ctx, actor_named(ctx, "anh.vo"))  # a supervisor sees every case
    lang_of_subject = {subject: lang for lang, (_, subject, _) in SAMPLES.items()}
    with ctx.db.session() as s:
        lang_of = {
            r.ref: lang_of_subject[r.subject] for r in s.execute(select(Case.ref, Case.subject))
        }
        isil = set(s.scalars(select(Case.ref).where(Case.customer.startswith("Işıl"))))
    assert set(lang_of.values()) == set(SAMPLES) and isil
    assert_finds_every_sample(desk, lang_of)
    for search in searches(desk):  # the customers, reduced once each by the loader
        for typed in ("isil", "IŞIL", "ışıl"):
            assert search(typed) == isil, (search.__name__, typed)
    _assert_index_holds_the_documents(ctx)


def _assert_index_holds_the_documents(ctx) -> None:
    """Every case is indexed with exactly the program's document of its text: SQLite's FTS5
    table holds its words at their positions, PostgreSQL's column the vector of it."""
    from complaint_tui.store.search import case_document

    with ctx.db.engine.connect() as conn:
        rows = conn.execute(
            select(Case.id, Case.ref, Case.customer, Case.subject, Case.description)
        ).all()
        documents = {r.id: case_document(r.ref, r.customer, r.subject, r.description) for r in rows}
        assert documents
        if ctx.db.is_sqlite:
            conn.execute(
                text(
                    "CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, case_search, instance)"
                )
            )
            indexed = set(
                conn.execute(text('SELECT term, doc, "offset" FROM temp.search_terms')).all()
            )
            conn.execute(text("DROP TABLE temp.search_terms"))
            wanted = {
                (word, case_id, position)
                for case_id, document in documents.items()
                for position, word in enumerate(document.split())
            }
            assert indexed == wanted
        else:
            differing = conn.execute(
                text(
                    "SELECT c.id FROM cases c JOIN unnest(CAST(:ids AS bigint[]), CAST(:docs AS text[])) "
                    "AS d(id, doc) ON d.id = c.id "
                    "WHERE c.search_tsv IS DISTINCT FROM to_tsvector('simple'::regconfig, d.doc)"
                ),
                {"ids": list(documents), "docs": list(documents.values())},
            ).all()
            assert differing == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=4, max_size=4))
def test_a_case_document_is_the_documents_of_its_parts(parts):
    """What the demo loader relies on to reduce each prototype and customer only once."""
    from complaint_tui.store.search import case_document

    ref, customer, subject, description = parts
    pieces = [
        case_document(ref),
        case_document(customer=customer),
        case_document(subject=subject, description=description),
    ]
    assert case_document(ref, customer, subject, description) == " ".join(p for p in pieces if p)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("C-2026-00042", [["c", "2026", "00042"]]),
        ("  Müller   Straße ", [["muller"], ["strasse"]]),
        ("İSTANBUL ığdır", [["istanbul"], ["igdir"]]),
        ("-- Œuvre !", [["oeuvre"]]),
        ("a b c d e f g h i j", [[w] for w in "abcdefgh"]),
    ],
)
def test_query_words_are_reduced_like_documents(typed, words):
    from complaint_tui.services.search import search_terms

    assert search_terms(typed) == words


def test_a_very_long_word_is_found_by_its_beginning_on_both_databases(ctx, agents):
    """PostgreSQL cannot index a word of over 2,047 bytes (it leaves it out, with a notice);
    only a word's first 200 characters count, on both databases, in documents and queries."""
    desk = CaseDesk(ctx, agents["alice"])
    blob = "Zé" + "x" * 3_000
    ref = desk.create(draft(description=f"The log says {blob} and stops.")).ref
    desk.create(draft(description="Nothing long here."))
    for typed in (blob, blob.upper(), "zexxx", f"{blob}y log"):
        assert [r.ref for r in desk.list(search=typed)] == [ref], typed[:10]
