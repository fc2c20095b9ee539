"""Inline SVG charts of entries per week or month, and the tags index sized by count."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import pytest

from helpers import build_out, entry_text, write_site
from digest.config import Config
from digest.entries import Entry, Moment
from digest.charts import activity_chart
from digest.urls import place_posts
from digest.strings import english_strings

SVG = "{http://www.w3.org/2000/svg}"


def posts_on(days, tmp_path, zone="UTC"):
    entries = [Entry(f"content/{n}.md", f"e{n}", f"E{n}", Moment(datetime.combine(d, datetime.min.time(), timezone.utc), False),
                     "s", ("t",), "") for n, d in enumerate(days)]
    config = Config(root=tmp_path, timezone=zone)
    return place_posts(entries, config)[0], config


def test_weekly_bars_with_gaps(tmp_path):
    posts, config = posts_on([date(2025, 7, 1), date(2025, 7, 2), date(2025, 7, 16)], tmp_path)
    chart = activity_chart(posts, config)
    assert chart.unit == "week"
    assert [(str(b.start), b.count) for b in chart.bars] == [("2025-06-30", 2), ("2025-07-07", 0), ("2025-07-14", 1)]
    assert chart.bars[0].height == chart.plot_bottom - chart.plot_top and chart.bars[1].height == 0
    assert english_strings().chart_description(chart) == (
        "3 entries over 3 weeks, from the week of Jun 30, 2025 to the week of Jul 14, 2025; "
        "the busiest was the week of Jun 30, 2025, with 2.")


def test_long_spans_are_drawn_per_month(tmp_path):
    start = date(2024, 11, 4)
    posts, config = posts_on([start, start + timedelta(weeks=25)], tmp_path)
    assert activity_chart(posts, config).unit == "week"   # 26 weeks
    posts, config = posts_on([start, start + timedelta(weeks=26), date(2025, 5, 30)], tmp_path)
    chart = activity_chart(posts, config)
    assert chart.unit == "month"
    assert [(english_strings().bar_label(chart, b), b.count) for b in chart.bars] == [
        ("November 2024", 1), ("December 2024", 0), ("January 2025", 0), ("February 2025", 0),
        ("March 2025", 0), ("April 2025", 0), ("May 2025", 2)]
    assert english_strings().chart_description(chart) == ("3 entries over 7 months, from November 2024 to May 2025; "
                                                          "the busiest was May 2025, with 2.")


def test_weeks_follow_the_site_timezone(tmp_path):
    # Sunday 23:00 UTC is already Monday in Kiritimati (UTC+14): a new week.
    entries = [Entry("content/a.md", "a", "A", Moment(datetime(2025, 7, 6, 23, tzinfo=timezone.utc), True), "s", ("t",), "")]
    for zone, monday in (("UTC", "2025-06-30"), ("Pacific/Kiritimati", "2025-07-07")):
        config = Config(root=tmp_path, timezone=zone)
        assert str(activity_chart(place_posts(entries, config)[0], config).bars[0].start) == monday


def test_no_posts_no_chart(tmp_path):
    assert activity_chart((), Config(root=tmp_path)) is None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    files = {f"content/e{n}.md": entry_text(f"Entry {n}", f"2025-0{1 + n % 6}-1{n % 9}", tags="[Ports]" if n % 3 else "[Ports, Rare]",
                                            people="[Ana Lima]", places="[Oslo]", story="Harbour strike",
                                            source="Harbour Wire")
             for n in range(12)}
    root = write_site(tmp_path_factory.mktemp("charts"), files, 'permalink = "/{slug}/"\n')
    return build_out(root)


@pytest.mark.parametrize("page", ["archive/index.html", "tags/ports/index.html", "people/ana-lima/index.html",
                                  "places/oslo/index.html", "sources/harbour-wire/index.html",
                                  "stories/harbour-strike/index.html"])
def test_pages_carry_an_svg_chart_that_parses(built, page):
    html = (built / page).read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", html, re.DOTALL)
    assert len(svgs) == 1
    svg = ET.fromstring(svgs[0])
    assert svg.tag == SVG + "svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.find(SVG + "title").text == "Entries per week" or svg.find(SVG + "title").text == "Entries per month"
    assert svg.find(SVG + "desc").text.startswith("12 entries over ")
    bars = svg.findall(SVG + "rect")
    assert bars and all(bar.find(SVG + "title").text for bar in bars)
    assert sum(int(re.search(r": (\d+) entr", bar.find(SVG + "title").text).group(1)) for bar in bars) == 12
    assert "<script" not in html


def test_tags_index_sizes_terms_by_count(built):
    html = (built / "tags/index.html").read_text(encoding="utf-8")
    assert '<li class="size-5"><a href="/tags/ports/">Ports</a> <span class="count">(12)</span></li>' in html
    assert '<li class="size-1"><a href="/tags/rare/">Rare</a> <span class="count">(4)</span></li>' in html


def test_a_single_busy_week_is_a_bar_not_a_block_filling_the_chart(tmp_path):
    """A tag page whose entries all fall in one week (as on the sample site) shows a bar, not
    one solid block as wide as the chart."""
    posts, config = posts_on([date(2025, 7, 21), date(2025, 7, 23)], tmp_path)
    chart = activity_chart(posts, config)
    (bar,) = chart.bars
    assert bar.width <= 48
    assert abs((bar.x + bar.width / 2) - chart.width / 2) < 0.01   # centred under its label
    posts, config = posts_on([date(2025, 7, 1), date(2025, 7, 16)], tmp_path)
    assert all(b.width <= 48 for b in activity_chart(posts, config).bars)


def test_a_chart_is_counted_when_first_read_and_pickles_as_counted(tmp_path):
    import pickle

    from digest.charts import ChartOf

    posts, config = posts_on([date(2025, 7, 1), date(2025, 7, 2), date(2025, 7, 16)], tmp_path)
    chart = activity_chart(posts, config)
    assert isinstance(chart, ChartOf) and chart._chart is None  # nothing counted yet
    copy = pickle.loads(pickle.dumps(chart))
    assert copy == chart and copy.members == () and copy.bars == chart.bars
