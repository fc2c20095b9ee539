"""Related entries: each entry's posts sharing the most of its story, people, places and tags."""

from __future__ import annotations

from collections.abc import Sequence

from .entries import term_key
from .model import Post
from .stories import Story


RELATED_LIMIT = 5
# Shared story > shared person > shared place > shared tag; an entry's score is the sum.
RELATED_WEIGHTS = (("story", 16), ("people", 4), ("places", 2), ("tags", 1))


def related_posts(posts: tuple[Post, ...], limit: int = RELATED_LIMIT) -> dict[str, tuple[Post, ...]]:
    """Entry URL -> up to `limit` related posts, for every post (see RelatedIndex)."""
    index = RelatedIndex(posts, limit)
    return {post.url: index.of(post.url) for post in posts}


class RelatedIndex:
    """Related posts of any entry, each post's worked out the first time it is asked for: a
    rebuild that renders a few entry pages scores only those.

    An inverted index maps each story, person, place and tag to the set of posts carrying
    it, held as a bitset (a Python int, bit i = posts[i]; posts are newest first). A post's
    scores against every other post are summed bit-sliced: slice j holds bit j of each
    score, and adding a feature's bitset at its weight is a ripple-carry addition on whole
    ints. Picking the best is then a walk down the slices, and among equal scores the lowest
    bit, i.e. the most recent post, wins: deterministic, and no Python loop over post pairs.

    Building that index reads every post, so the first questions are answered without it
    when the site's own groups can say which posts carry each feature (`terms`:
    feature_groups, the taxonomies' terms and the stories by key): the posts sharing one with
    the entry are scored one by one, by the same weights and the same tie-break. That walk
    goes on until it has visited as many postings as the index costs to build (`budget`);
    then the index answers, at a few microseconds a question. Both ways give the same answer
    (tests/test_related.py).
    """

    # Building the index costs about as much as visiting this many postings a post (measured:
    # 13 us a post against 0.74 us a posting); a popular tag's group holds many.
    POSTINGS_PER_POST = 16

    def __init__(self, posts: tuple[Post, ...], limit: int = RELATED_LIMIT, terms: dict | None = None):
        self.posts, self.limit, self.terms = posts, limit, terms
        self.number = {post.url: number for number, post in enumerate(posts)}
        self.found: dict[str, tuple[Post, ...]] = {}
        self._features: list | None = None
        self._bitsets: dict = {}
        self.budget = self.POSTINGS_PER_POST * len(posts)  # postings the walk may visit in all
        self.walked = 0

    def of(self, url: str) -> tuple[Post, ...]:
        """The related posts of the entry at `url` (none for a URL that is no entry)."""
        known = self.found.get(url)
        if known is None:
            number = self.number.get(url)
            if number is None:
                known = ()
            elif self._features is None and self.walked < self.budget and self.terms is not None:
                known = self._score_sharing(number)
            if known is None:
                known = self._score(number)
            self.found[url] = known
        return known

    @staticmethod
    def features_of(post: Post) -> dict[tuple[str, str], int]:
        """(field, term key) -> the binary digit of its weight (16 -> 4), for one post."""
        own: dict[tuple[str, str], int] = {}
        for field_name, weight in RELATED_WEIGHTS:
            values = (post.entry.story,) if field_name == "story" else getattr(post.entry, field_name)
            for value in values:
                if value:
                    own[(field_name, term_key(value))] = weight.bit_length() - 1
        return own

    def _score_sharing(self, number: int) -> tuple[Post, ...] | None:
        """Score only the posts that share a feature with posts[number]; None when the site's
        groups do not hold one of its features (then the index answers). A group holds each
        post once: an entry's values are distinct by term key (entries.to_text_list)."""
        scores: dict[int, int] = {}
        for (field_name, key), digit in self.features_of(self.posts[number]).items():
            group = self.terms[field_name].get(key)
            if group is None:
                return None
            self.walked += len(group.posts)
            for other in group.posts:
                other_number = self.number[other.url]
                scores[other_number] = scores.get(other_number, 0) + (1 << digit)
        scores.pop(number, None)
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:self.limit]
        return tuple(self.posts[other] for other, _ in best)

    def _index(self) -> list:
        postings: dict[tuple[str, str], bytearray] = {}
        features: list[list[tuple[tuple[str, str], int]]] = []
        size = (len(self.posts) + 7) // 8
        for number, post in enumerate(self.posts):
            own = self.features_of(post)
            for feature in own:
                bits = postings.get(feature)
                if bits is None:  # (not setdefault: that would make a bitset for every call)
                    bits = postings[feature] = bytearray(size)
                bits[number >> 3] |= 1 << (number & 7)
            features.append(list(own.items()))
        self._bitsets = {feature: int.from_bytes(bits, "little") for feature, bits in postings.items()}
        return features

    def _score(self, number: int) -> tuple[Post, ...]:
        if self._features is None:
            self._features = self._index()
        slices: list[int] = []
        alive = 0
        for feature, digit in self._features[number]:
            bits = self._bitsets[feature]
            alive |= bits
            carry = bits
            while carry:
                while len(slices) <= digit:
                    slices.append(0)
                current = slices[digit]
                slices[digit] = current ^ carry
                carry &= current
                digit += 1
        alive &= ~(1 << number)
        chosen: list[int] = []
        while alive and len(chosen) < self.limit:
            level = alive
            for bits in reversed(slices):
                top = level & bits
                if top:
                    level = top
            alive ^= level
            while level and len(chosen) < self.limit:
                lowest = level & -level
                chosen.append(lowest.bit_length() - 1)
                level ^= lowest
        return tuple(self.posts[other] for other in chosen)


class Related(Sequence):
    """One entry page's related posts, as templates read them (`if`, `for`, `length`): worked
    out by the site's RelatedIndex when first read."""

    __slots__ = ("index", "url")

    def __init__(self, index: RelatedIndex, url: str):
        self.index, self.url = index, url

    @property
    def posts(self) -> tuple[Post, ...]:
        return self.index.of(self.url)

    def __getitem__(self, item):
        return self.posts[item]

    def __len__(self) -> int:
        return len(self.posts)

    def __iter__(self):
        return iter(self.posts)

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, (Related, tuple)) else NotImplemented

    def __repr__(self) -> str:
        return f"Related({self.url!r})"


def feature_groups(taxonomies: dict, stories: tuple[Story, ...]) -> dict | None:
    """Each related-entries feature's group as the model has it already: field -> term key ->
    a Term or Story (its .posts carry it). None unless the site has a taxonomy for each field."""
    names = [name for name, _ in RELATED_WEIGHTS if name != "story"]
    if not set(names) <= taxonomies.keys():
        return None
    return {"story": {story.key: story for story in stories}, **{name: taxonomies[name].by_key for name in names}}
