"""Urgency styling shared by the queue, the escalation screen and the case detail screen."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.style import Style
from rich.text import Text

from complaint_tui.domain.enums import BAND_ORDER, Urgency
from complaint_tui.domain.sla import GLYPHS

BAND_CLASSES = {
    Urgency.BREACHED: "band--breached",
    Urgency.URGENT: "band--urgent",
    Urgency.SOON: "band--soon",
    Urgency.OK: "band--ok",
    Urgency.PAUSED: "band--paused",
    Urgency.DONE: "band--done",
}
COMPONENT_CLASSES = set(BAND_CLASSES.values())


def band_summary(
    counts: Mapping[Urgency, int],
    style_of: Callable[[str], Style],
    words: Mapping[Urgency, str] | None = None,
    always: tuple[Urgency, ...] = (Urgency.BREACHED, Urgency.URGENT),
) -> Text:
    """ "✖ 3 breached  ▲ 0 urgent  ● 5 soon …": every band counted, breached and urgent even at
    zero (that nothing is late is news too), in the band's style so it reads like the rows."""
    out = Text(no_wrap=True, overflow="ellipsis")
    for band in BAND_ORDER:
        n = counts.get(band, 0)
        if n or band in always:
            word = (words or {}).get(band, band.value)
            out.append(f" {GLYPHS[band]} {n:,} {word} ", style_of(BAND_CLASSES[band]))
    return out
