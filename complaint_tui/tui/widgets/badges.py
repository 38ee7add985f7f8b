"""Urgency styling shared by the queue and the case detail screen."""

from __future__ import annotations

from complaint_tui.domain.enums import Urgency

BAND_CLASSES = {
    Urgency.BREACHED: "band--breached",
    Urgency.URGENT: "band--urgent",
    Urgency.SOON: "band--soon",
    Urgency.OK: "band--ok",
    Urgency.PAUSED: "band--paused",
    Urgency.DONE: "band--done",
}
COMPONENT_CLASSES = set(BAND_CLASSES.values())
