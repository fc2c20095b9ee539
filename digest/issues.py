"""Weekly digest issues: the entries of each ISO week, grouped by story, else by first tag."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from .config import Config
from .entries import term_key
from .model import Post, publication_days
from .stories import Story, timeline_key


@dataclass(frozen=True)
class IssueGroup:
    """Entries of one weekly issue under one heading: a story, or else the entries' first tag."""

    kind: str                   # "story" or "tag"
    name: str
    url: str                    # the story's or the tag's page
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Issue:
    """One weekly digest issue: the entries published in one ISO week, in the site timezone."""

    year: int                   # ISO year: 2024-12-30 belongs to 2025-W01
    week: int
    start: date                 # Monday
    end: date                   # Sunday
    posts: tuple[Post, ...]     # oldest first
    groups: tuple[IssueGroup, ...]
    prefix: str = ""

    @property
    def url(self) -> str:
        return self.prefix + issue_url(self.year, self.week)

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def updated(self):
        return max((p.entry.date for p in self.posts), key=lambda m: m.value)


def issue_url(year: int, week: int) -> str:
    """`digest/2025/w01/`: the week number is zero-padded to two digits so URLs sort."""
    return f"digest/{year:04d}/w{week:02d}/"


def build_issues(posts: tuple[Post, ...], stories: tuple[Story, ...], taxonomies: dict,
                 config: Config, day_of: dict | None = None, prefix: str = "") -> tuple[Issue, ...]:
    """One issue per ISO week (of the publication date in the site timezone) that has entries;
    newest first. day_of: publication_days(posts), if made already."""
    day_of = day_of if day_of is not None else publication_days(posts, config)
    weeks: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        year, week, _ = day_of[post.url].isocalendar()
        weeks[(year, week)].append(post)
    story_by_key = {story.key: story for story in stories}
    tags = taxonomies.get("tags")
    issues = []
    for (year, week), members in sorted(weeks.items(), reverse=True):
        members.reverse()  # oldest first: posts come newest first, by instant then path (urls.placed_posts)
        start = date.fromisocalendar(year, week, 1)
        issues.append(Issue(year, week, start, start + timedelta(days=6), tuple(members),
                            issue_groups(members, story_by_key, tags), prefix))
    return tuple(issues)


def issue_groups(members: list[Post], story_by_key: dict, tags) -> tuple[IssueGroup, ...]:
    """Stories first (largest first), then entries outside a story by their first tag."""
    by_story: dict[str, list[Post]] = defaultdict(list)
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in members:
        if post.entry.story:
            by_story[term_key(post.entry.story)].append(post)
        else:
            by_tag[term_key(post.entry.tags[0])].append(post)
    groups = []
    for key, group in by_story.items():
        story = story_by_key[key]
        groups.append(IssueGroup("story", story.name, story.url, tuple(sorted(group, key=timeline_key))))
    tag_groups = []
    for key, group in by_tag.items():
        term = tags.by_key.get(key) if tags else None
        name = term.name if term else group[0].entry.tags[0]
        tag_groups.append(IssueGroup("tag", name, term.url if term else "", tuple(group)))
    order = lambda g: (-len(g.posts), g.name.casefold())  # noqa: E731
    return tuple(sorted(groups, key=order) + sorted(tag_groups, key=order))


DIGEST_FEED_ISSUES = 20
