"""On-time percentages judged against the targets in settings (``[reports] ack_target_pct``,
``resolve_target_pct``): met, missed, or no data (nothing decided yet, so no percentage).

Each verdict has a glyph and words, so a report reads the same without colour; the screens add a
colour class on top (tui: ``target--met`` …).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TargetVerdict(StrEnum):
    MET = "met"
    MISSED = "missed"
    NO_DATA = "no-data"


GLYPHS = {TargetVerdict.MET: "✓", TargetVerdict.MISSED: "✗", TargetVerdict.NO_DATA: "–"}


@dataclass(frozen=True)
class TargetJudgement:
    verdict: TargetVerdict
    pct: float | None
    target: float

    @property
    def glyph(self) -> str:
        return GLYPHS[self.verdict]

    @property
    def words(self) -> str:
        """The verdict in words: met (target 95%), below target 95%, no data."""
        target = f"{self.target:g}%"
        if self.verdict is TargetVerdict.MET:
            return f"met (target {target})"
        if self.verdict is TargetVerdict.MISSED:
            return f"below target {target}"
        return "no data"

    @property
    def pct_text(self) -> str:
        return "–" if self.pct is None else f"{self.pct:.1f}%"

    def text(self) -> str:
        """The whole verdict in plain text, e.g. "92.3% ✗ below target 95%", "– no data"."""
        if self.pct is None:
            return f"{self.glyph} {self.words}"
        return f"{self.pct_text} {self.glyph} {self.words}"


def judge_pct(pct: float | None, target: float) -> TargetJudgement:
    """An on-time percentage against its target: met at or above it; None (no clock decided in
    the period) is no data, never a miss."""
    if pct is None:
        return TargetJudgement(TargetVerdict.NO_DATA, None, target)
    verdict = TargetVerdict.MET if pct >= target else TargetVerdict.MISSED
    return TargetJudgement(verdict, pct, target)
