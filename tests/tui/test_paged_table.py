"""PagedTable, the one paging mechanism of the queue, the escalation screen and the audit trail,
over a list of numbers: the window stays bounded, every row comes once and in order both ways,
a refresh keeps the cursor's row, a refused read is one notification, and a page read for a
list already left is dropped."""

from __future__ import annotations

from textual.app import App, ComposeResult

from complaint_tui.services.errors import Refused
from complaint_tui.services.paging import Key, KeysetPages, Page, page_of
from complaint_tui.tui.widgets.paged_table import MAX_WINDOW, PagedTable, _PageRead


class Numbers(KeysetPages[str, int]):
    """0..n-1 ascending, or descending for the query "desc"; ``refusal`` refuses every read."""

    def __init__(self, n: int) -> None:
        self.values = list(range(n))
        self.refusal: str | None = None
        self.reads = 0

    def key_of(self, query: str, row: int) -> Key:
        return (row,)

    def descending(self, query: str) -> bool:
        return query == "desc"

    def _page(self, query: str, key: Key | None, limit: int, *, forward: bool) -> Page[int]:
        self.reads += 1
        if self.refusal is not None:
            raise Refused(self.refusal)
        ascending = forward != self.descending(query)
        values = sorted(self.values, reverse=not ascending)
        if key is not None:
            values = [v for v in values if (v > key[0]) == ascending and v != key[0]]
        return page_of(values[: limit + 1], limit, key, forward=forward)


class Harness(App):
    def compose(self) -> ComposeResult:
        yield PagedTable(fetch=50, id="t")


async def settled(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def read(pilot, table: PagedTable) -> None:
    """Wait for the read a move started, if it started one."""
    if table.reading:
        await settled(pilot)


async def test_every_row_once_and_in_order_both_ways_in_a_bounded_window():
    source = Numbers(1_000)
    async with Harness().run_test(size=(40, 30)) as pilot:
        table = pilot.app.query_one(PagedTable)
        for query in ("asc", "desc"):
            in_order = sorted(source.values, reverse=query == "desc")
            table.show_list(source, query)
            await settled(pilot)
            seen = [table.current()]
            while not (table.at_end and table.cursor == len(table.rows) - 1):
                table.move(1)
                await read(pilot, table)
                seen.append(table.current())
                assert len(table.rows) <= MAX_WINDOW
                start = in_order.index(table.rows[0])  # the window: a run of the list, no gaps
                assert table.rows == in_order[start : start + len(table.rows)]
            assert seen == in_order
            back = [table.current()]
            while not (table.at_start and table.cursor == 0):
                table.page(-1)
                await read(pilot, table)
                back.append(table.current())
            step = in_order.index(back[0]) - in_order.index(back[1])
            assert step == table.page_height and back[-1] == in_order[0]


async def test_the_edges_are_read_afresh_when_the_window_does_not_hold_them():
    source = Numbers(2_000)
    async with Harness().run_test(size=(40, 12)) as pilot:
        table = pilot.app.query_one(PagedTable)
        table.show_list(source, "asc")
        await settled(pilot)
        table.go_to_edge(end=True)
        await settled(pilot)
        assert table.current() == 1_999 and table.at_end and not table.at_start
        table.go_to_edge(end=False)
        await settled(pilot)
        assert table.current() == 0 and table.at_start


async def test_a_refresh_keeps_the_cursor_on_its_row():
    source = Numbers(500)
    async with Harness().run_test(size=(40, 12)) as pilot:
        table = pilot.app.query_one(PagedTable)
        table.show_list(source, "asc")
        await settled(pilot)
        for _ in range(4):
            table.page(1)
            await settled(pilot)
        row = table.current()
        source.values = [v for v in source.values if v % 7 or v == row]  # others went away
        assert table.refresh_in_place()
        await settled(pilot)
        assert table.current() == row
        assert 7 not in table.rows and all(v % 7 or v == row for v in table.rows)


async def test_a_refused_read_is_one_notification_and_the_table_reads_again_later():
    source = Numbers(500)
    async with Harness().run_test(size=(40, 12)) as pilot:
        table = pilot.app.query_one(PagedTable)
        source.refusal = "The database is not available; try again in a moment."
        table.show_list(source, "asc")
        await settled(pilot)
        assert [n.message for n in pilot.app._notifications] == [source.refusal]
        assert table.rows == [] and table.reading is None
        source.refusal = None
        assert table.refresh_in_place()
        await settled(pilot)
        assert table.rows[0] == 0


async def test_a_page_read_for_a_list_left_behind_is_dropped():
    source = Numbers(500)
    async with Harness().run_test(size=(40, 12)) as pilot:
        table = pilot.app.query_one(PagedTable)
        table.show_list(source, "asc")
        await settled(pilot)
        left = table.generation
        table.show_list(source, "desc")
        await settled(pilot)
        stale = source.first("asc", 50)
        table.post_message(_PageRead(left, "first", stale))
        await settled(pilot)
        assert table.rows[0] == 499 and table.current() == 499
