"""The report screen's charts (textual-plotext): complaints received per ISO week, the on-time
percentages per week against their targets, and how many business hours resolutions took.

Each chart takes plain numbers from the report (never a database row) and reads without colour:
the two on-time series differ by their marker, named in the title, and the targets are lines
named there too.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

ACK_MARKER = "●"
RESOLVE_MARKER = "x"
TARGET_MARKER = "─"


def week_label(week: str) -> str:
    """ "2026-W47" -> "W47" (the year is in the period above the chart)."""
    return week.rsplit("-", 1)[-1]


def _count_ticks(top: int) -> list[int]:
    """Three whole-number ticks, 0, the middle and the top (at least ``top``): a chart ten rows
    high has no room for more that fall on their rows."""
    half = max(1, -(-top // 2))
    return [0, half, 2 * half]


def _ticks(count: int, width: int, label_width: int = 5) -> list[int]:
    """Every n-th position, so the labels fit the chart's width without touching."""
    if count == 0:
        return []
    room = max(1, (width - 8) // (label_width + 2))
    step = max(1, -(-count // room))
    return list(range(0, count, step))


class ReportChart(PlotextPlot):
    """A chart that draws itself again from its last data whenever it is given new data."""

    DEFAULT_CSS = """
    ReportChart {
        height: 12;
        width: 1fr;
    }
    """

    data: tuple = ()  # what it was last given to draw (the tests compare it with the report)

    def _start(self, title: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)

    def _empty(self, title: str, why: str) -> None:
        self._start(title)
        self.plt.xticks([], [])
        self.plt.yticks([], [])
        self.plt.text(why, 0.5, 0.5, alignment="center")
        self.plt.xlim(0, 1)
        self.plt.ylim(0, 1)
        self.refresh()


class WeeklyVolumeChart(ReportChart):
    TITLE = "Complaints received per week"

    def show(self, weeks: Sequence[str], received: Sequence[int]) -> None:
        self.data = (list(weeks), list(received))
        if not weeks:
            self._empty(self.TITLE, "No complaint was received in this period.")
            return
        self._start(self.TITLE)
        # Weeks without a complaint draw no bar (plotext draws a zero as a one-row block).
        bars = [(i, n) for i, n in enumerate(received) if n]
        self.plt.bar([i for i, _ in bars], [n for _, n in bars], width=0.6)
        self.plt.xlim(-0.5, len(weeks) - 0.5)
        shown = _ticks(len(weeks), self.size.width or 76)
        self.plt.xticks(shown, [week_label(weeks[i]) for i in shown])
        ticks = _count_ticks(max(received))
        self.plt.yticks(ticks, [str(t) for t in ticks])
        self.plt.ylim(0, ticks[-1])
        self.refresh()


class WeeklyOnTimeChart(ReportChart):
    def show(
        self,
        weeks: Sequence[str],
        ack_pct: Sequence[float | None],
        resolve_pct: Sequence[float | None],
        ack_target: float,
        resolve_target: float,
    ) -> None:
        self.data = (list(weeks), list(ack_pct), list(resolve_pct), ack_target, resolve_target)
        title = (
            f"On time % per week: {ACK_MARKER} acknowledged (target {ack_target:g}%), "
            f"{RESOLVE_MARKER} resolved (target {resolve_target:g}%)"
        )
        decided = [p for p in (*ack_pct, *resolve_pct) if p is not None]
        if not decided:
            self._empty(title, "No clock was decided in this period.")
            return
        self._start(title)
        plt = self.plt
        x = list(range(len(weeks)))
        for values, marker in ((ack_pct, ACK_MARKER), (resolve_pct, RESOLVE_MARKER)):
            points = [(i, v) for i, v in zip(x, values, strict=True) if v is not None]
            if points:
                plt.scatter([i for i, _ in points], [v for _, v in points], marker=marker)
        for target in sorted({ack_target, resolve_target}):
            plt.hline(target, "gray")
        shown = _ticks(len(weeks), self.size.width or 76)
        plt.xticks(shown, [week_label(weeks[i]) for i in shown])
        plt.xlim(-0.5, len(weeks) - 0.5)
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"])
        self.refresh()


class ResolveHoursChart(ReportChart):
    TITLE = "Resolutions by business hours taken"

    def show(self, labels: Sequence[str], counts: Sequence[int], target_hours: float) -> None:
        self.data = (list(labels), list(counts))
        title = f"{self.TITLE} (target {target_hours:g} h)"
        if not any(counts):
            self._empty(title, "No case received in this period is resolved yet.")
            return
        self._start(title)
        x = list(range(len(labels)))
        bars = [(i, n) for i, n in enumerate(counts) if n]
        self.plt.bar([i for i, _ in bars], [n for _, n in bars], width=0.6)
        self.plt.xlim(-0.5, len(labels) - 0.5)
        self.plt.xticks(x, list(labels))
        ticks = _count_ticks(max(counts))
        self.plt.yticks(ticks, [str(t) for t in ticks])
        self.plt.ylim(0, ticks[-1])
        self.refresh()


def hour_bucket_edges(day_hours: float, resolve_days: int) -> list[float]:
    """The histogram's edges in business hours: one business day each up to the resolution
    target, then twice the target (so the bars say how many were within each day of the promise
    and how far late the rest were)."""
    target = day_hours * resolve_days
    return [day_hours * n for n in range(1, resolve_days + 1)] + [2 * target]


def hour_bucket_labels(edges: Sequence[float]) -> list[str]:
    """ "<9", "9-18", …, "≥90" for edges [9, 18, …, 90] (hours)."""
    shown = [f"{e:g}" for e in edges]
    labels = [f"<{shown[0]}"]
    labels += [f"{a}-{b}" for a, b in zip(shown, shown[1:], strict=False)]
    labels.append(f"≥{shown[-1]}")
    return labels
