"""Activity charts: entries per week (or month) of some posts, counted when first read."""

from __future__ import annotations

from functools import cached_property, lru_cache
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, NamedTuple

from .config import Config
from .model import Post, publication_days


CHART_WEEKS_MAX = 26        # longer spans are drawn per month
CHART_BAR_MAX = 48.0        # widest bar, in chart units (the chart is 600 wide)


class Bar(NamedTuple):  # a tuple: a site has tens of thousands of bars, and a dataclass is slow to make
    start: date                 # first day of the week or month (Strings.bar_label names it)
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Entries per week (or per month for long spans), drawn as inline SVG by _chart.html.
    It holds what it counts; its bars are worked out when a template first reads them."""

    unit: str                   # "week" or "month"
    first: date                 # the first day of the first week or month
    counts: tuple[int, ...]     # entries per week or month, from the first on
    total: int
    peak: int
    width: int = 600
    height: int = 102  # the plot and its axis line; labels are HTML below it
    plot_top: int = 8
    plot_bottom: int = 100

    @cached_property
    def bars(self) -> tuple[Bar, ...]:
        span = self.plot_bottom - self.plot_top
        starts = chart_slots(self.unit, self.first, len(self.counts))
        places, bar_width = slot_places(len(self.counts), self.width)
        bars = []
        for start, count, x in zip(starts, self.counts, places):
            height = round(span * count / self.peak, 2) if count else 0.0
            bars.append(Bar(start, count, x, round(self.plot_bottom - height, 2), bar_width, height))
        return tuple(bars)

    @property
    def busiest(self) -> Bar:
        return min(self.bars, key=lambda b: (-b.count, b.start))


def activity_chart(posts: Iterable[Post], config: Config, width: int = 600,
                   day_of: dict | None = None) -> "ChartOf | None":
    """Entries per week of publication (site timezone), or per month when the span is
    longer than CHART_WEEKS_MAX weeks; empty weeks and months are drawn as gaps. None for
    no posts. day_of: post URL -> its local day, made once for a site's hundreds of charts."""
    posts = tuple(posts)
    if not posts:
        return None
    return ChartOf(posts, day_of if day_of is not None else publication_days(posts, config), width)


class ChartOf:
    """The activity chart of some posts, counted when first read (a Chart: templates and
    fingerprints read it through this): a site has a chart per term, and a rebuild
    fingerprints and renders few of them."""

    # `members`, not `posts`: code that finds a page's entries by a `posts` attribute
    # (syndication.route_lastmod) must not take a chart for a listing.
    __slots__ = ("members", "day_of", "width", "_chart")

    def __init__(self, members: tuple[Post, ...], day_of: dict, width: int):
        self.members, self.day_of, self.width, self._chart = members, day_of, width, None

    @property
    def chart(self) -> Chart:
        if self._chart is None:
            self._chart = count_chart([self.day_of[post.url] for post in self.members], self.width)
        return self._chart

    def __getattr__(self, name: str):
        if name.startswith("_"):  # asked before __init__ ran (unpickling, copying): not the chart's
            raise AttributeError(name)
        return getattr(self.chart, name)

    def __reduce__(self):  # to a worker process (spawned, not forked): the counted chart alone
        return ChartOf.counted, (self.chart,)

    @staticmethod
    def counted(chart: Chart) -> "ChartOf":
        made = ChartOf((), {}, chart.width)
        made._chart = chart
        return made

    def __eq__(self, other) -> bool:
        return self.chart == other.chart if isinstance(other, ChartOf) else NotImplemented

    def __repr__(self) -> str:
        return f"ChartOf({self.chart!r})"


def count_chart(days: list[date], width: int) -> Chart:
    first, last = min(days), max(days)
    first_monday = first - timedelta(days=first.weekday())
    weeks = (last - timedelta(days=last.weekday()) - first_monday).days // 7 + 1
    if weeks <= CHART_WEEKS_MAX:
        unit, start, slots = "week", first_monday, weeks
        counts = Counter((day - first_monday).days // 7 for day in days)
    else:
        unit, start = "month", date(first.year, first.month, 1)
        slots = (last.year - first.year) * 12 + last.month - first.month + 1
        counts = Counter((day.year - first.year) * 12 + day.month - first.month for day in days)
    return Chart(unit, start, tuple(counts.get(number, 0) for number in range(slots)), len(days),
                 max(counts.values()), width=width)


# Charts of one site share their spans and their widths: each is worked out once.

@lru_cache(maxsize=4096)
def chart_slots(unit: str, first: date, slots: int) -> tuple[date, ...]:
    """The first day of each of a chart's `slots` bars, counted from `first`."""
    if unit == "week":
        return tuple(first + timedelta(weeks=number) for number in range(slots))
    return tuple(date(first.year + (first.month - 1 + number) // 12, (first.month - 1 + number) % 12 + 1, 1)
                 for number in range(slots))


@lru_cache(maxsize=4096)
def slot_places(slots: int, width: int) -> tuple[tuple[float, ...], float]:
    """Where each of `slots` bars starts across `width`, and the bars' width: at most
    CHART_BAR_MAX, centred in its slot (one busy week is a bar, not a block filling the chart)."""
    slot = width / slots
    gap = min(slot * 0.15, 4.0)
    bar_width = min(max(slot - gap, 0.5), CHART_BAR_MAX)
    return tuple(round(number * slot + (slot - bar_width) / 2, 2) for number in range(slots)), round(bar_width, 2)
