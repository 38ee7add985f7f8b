"""Every state reads without colour: with NO_COLOR (Textual draws greys), in 16 colours (each
colour reduced to the 16 ANSI ones) and in every theme. SPEC §5: in monochrome the most urgent
rows are the most prominent."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import SelectionList

from complaint_tui.domain.enums import BAND_ORDER, Urgency
from complaint_tui.tui.screens.intake import IntakeScreen
from complaint_tui.tui.widgets.badges import BAND_CLASSES
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.tui.conftest import settle
from tests.tui.fixtures import in_sixteen_colours

THEMES = ["complaint-dark", "complaint-light", "complaint-high-contrast", "complaint-colorblind"]


def terminal_style(widget: Widget, component: str) -> Style:
    """A component's style as the terminal gets it: the CSS, then the app's line filters
    (NO_COLOR's monochrome, the 16-colour reduction), as Textual applies them to each line."""
    segments = [Segment("x", widget.rich_style + widget.get_component_rich_style(component))]
    for line_filter in widget.app.get_line_filters():
        segments = line_filter.apply(segments, widget.background_colors[1])
    return segments[0].style


def look(style: Style) -> tuple:
    """Everything a terminal can show of a style."""
    return (
        style.color.get_truecolor() if style.color else None,
        style.bgcolor.get_truecolor() if style.bgcolor else None,
        bool(style.bold),
        bool(style.reverse),
        bool(style.italic),
        bool(style.dim),
    )


def prominence(style: Style) -> tuple[bool, bool]:
    """A reversed block stands out most, then bold text. (Grey levels do not count: Textual
    turns NO_COLOR's colours into greys, and the breached red is a darker grey than the text.)"""
    return (bool(style.reverse), bool(style.bold))


async def band_styles(app) -> dict[Urgency, Style]:
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        return {band: terminal_style(table, BAND_CLASSES[band]) for band in BAND_ORDER}


@pytest.mark.parametrize("theme", THEMES)
async def test_no_colour_draws_the_most_urgent_band_most_prominently(make_app, monkeypatch, theme):
    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = make_app(theme=theme)
    assert app.no_color
    styles = await band_styles(app)
    breached, urgent, *calmer = (styles[band] for band in BAND_ORDER)
    assert breached.reverse, "breached reads as a block, not as a grey dimmer than the text"
    assert prominence(breached) > prominence(urgent) > max(prominence(s) for s in calmer)


@pytest.mark.parametrize("theme", THEMES)
async def test_sixteen_colours_tell_every_band_apart(make_app, theme):
    app = in_sixteen_colours(make_app(theme=theme))
    styles = await band_styles(app)
    looks = {band: look(style) for band, style in styles.items()}
    for band, shown in looks.items():
        same = [other for other, seen in looks.items() if other is not band and seen == shown]
        assert not same, f"{theme}: {band} looks like {same} in 16 colours"


def line_with(widget: Widget, words: str) -> str:
    """The rendered line of ``widget`` that holds ``words``."""
    lines = widget.render_lines(Region(0, 0, *widget.outer_size))
    for strip in lines:
        if words in strip.text:
            return strip.text
    raise AssertionError(f"{words!r} is not shown")


async def test_a_checked_box_differs_from_an_unchecked_one_without_colour(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        box = screen.query_one("#in-confidential")
        services = screen.query_one("#in-services", SelectionList)
        unchecked = line_with(box, "Confidential")
        unselected = line_with(services, "DNS")
        box.value = True
        services.select("DNS")
        await pilot.pause()
        assert line_with(box, "Confidential") != unchecked
        assert line_with(services, "DNS") != unselected
        assert line_with(services, "VPS") == unselected.replace("DNS", "VPS")


@pytest.mark.parametrize("theme", THEMES)
async def test_a_missed_target_is_the_most_prominent_verdict_without_colour(
    make_app, monkeypatch, theme
):
    """The report's verdicts differ by glyph and words (domain/report_targets.py); without
    colour a missed target is also bold, and no data is italic, never like a met one."""
    from complaint_tui.domain.report_targets import TargetVerdict
    from complaint_tui.tui.screens.report import ReportScreen, TargetLines

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        lines = app.screen.query_one(TargetLines)
        styles = {v: terminal_style(lines, f"target--{v.value}") for v in TargetVerdict}
    met, missed, no_data = (styles[v] for v in TargetVerdict)
    assert prominence(missed) > prominence(met)
    assert no_data.italic and not met.italic
    assert len({look(s) for s in styles.values()}) == 3
