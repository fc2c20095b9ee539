"""Stories: entries sharing `story`, each a timeline by event date."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Problem
from .model import Post
from .taxonomies import group_terms


@dataclass(frozen=True)
class Story:
    key: str
    name: str
    slug: str
    posts: tuple[Post, ...]     # the timeline: by event_date (else date), oldest first
    prefix: str = ""

    @property
    def url(self) -> str:
        return f"{self.prefix}stories/{self.slug}/"

    @property
    def feed_url(self) -> str:
        return f"{self.prefix}stories/{self.slug}/feed.xml"

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def first(self):
        """The earliest event of the story (a Moment)."""
        return self.posts[0].entry.when

    @property
    def last(self):
        return self.posts[-1].entry.when

    @property
    def updated(self):
        """The latest publication date in the story (a Moment): stories are listed by it."""
        return max((p.entry.date for p in self.posts), key=lambda m: m.value)

    @property
    def newest_first(self) -> tuple[Post, ...]:
        return tuple(sorted(self.posts, key=lambda p: (p.entry.date.value, p.entry.path), reverse=True))


@dataclass(frozen=True)
class StoryPlace:
    """Where one entry sits in its story: for "Part of: <story>" with previous/next."""

    story: Story
    position: int               # 1-based, in timeline order
    previous: Post | None
    next: Post | None


def timeline_key(post: Post) -> tuple:
    entry = post.entry
    return (entry.when.value, entry.date.value, entry.path)


def build_stories(posts: tuple[Post, ...], prefix: str = "") -> tuple[tuple[Story, ...], list[Problem]]:
    """Entries sharing `story` (case-insensitively) form a story; most recently updated first."""
    names, slugs, members, problems = group_terms(
        posts, lambda entry: (entry.story,) if entry.story else (), "story")
    stories = [Story(key, names[key], slugs[key], tuple(sorted(members[key], key=timeline_key)), prefix) for key in names]
    stories.sort(key=lambda s: (-s.updated.value.timestamp(), s.name.casefold(), s.slug))
    return tuple(stories), problems


def story_places(stories: tuple[Story, ...]) -> dict[str, StoryPlace]:
    """Entry URL -> its place in its story."""
    places = {}
    for story in stories:
        for index, post in enumerate(story.posts):
            places[post.url] = StoryPlace(story, index + 1, story.posts[index - 1] if index else None,
                                          story.posts[index + 1] if index + 1 < len(story.posts) else None)
    return places
