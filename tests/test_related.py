"""Related entries: scored by shared story > people > places > tags, recency breaks ties,
computed once for the whole site."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from helpers import build_out, entry_text, read
from digest.config import Config
from digest.entries import Entry, Moment, term_key
from digest.related import RELATED_WEIGHTS, Related, RelatedIndex, related_posts
from digest.site import build_site
from digest.urls import place_posts


def make_entry(number: int, day: datetime, **fields) -> Entry:
    return Entry(path=f"content/e{number:04d}.md", slug=f"e{number:04d}", title=f"Entry {number}",
                 date=Moment(day, False), summary="s", body_html="", **{"tags": ("x",), **fields})


def brute_force(posts, limit=5):
    """The definition, pair by pair: what related_posts must equal."""
    def features(post):
        found = {}
        for name, weight in RELATED_WEIGHTS:
            values = (post.entry.story,) if name == "story" else getattr(post.entry, name)
            found.update({(name, term_key(v)): weight for v in values if v})
        return found
    own = [features(p) for p in posts]
    result = {}
    for i, post in enumerate(posts):
        scored = sorted((-sum(w for f, w in own[i].items() if f in own[j]), j)
                        for j in range(len(posts)) if j != i)
        result[post.url] = tuple(posts[j] for score, j in scored if score < 0)[:limit]
    return result


def test_score_order_story_people_places_tags_then_recency(tmp_path):
    base = datetime(2025, 7, 1, tzinfo=timezone.utc)
    target = make_entry(0, base, story="Talks", people=("Ana",), places=("Kyiv",), tags=("ceasefire",))
    others = [
        make_entry(1, base - timedelta(days=9), story="talks", tags=("other",)),        # story: 16
        make_entry(2, base - timedelta(days=8), people=("ana",), tags=("other",)),       # person: 4
        make_entry(3, base - timedelta(days=7), places=("KYIV",), tags=("other",)),      # place: 2
        make_entry(4, base - timedelta(days=6), tags=("Ceasefire",)),                    # tag: 1, older
        make_entry(5, base - timedelta(days=1), tags=("ceasefire",)),                    # tag: 1, newer
        make_entry(6, base - timedelta(days=5), tags=("ceasefire",)),                    # tag: 1, sixth
        make_entry(7, base + timedelta(days=1), tags=("nothing shared",)),
    ]
    posts, problems = place_posts([target, *others], Config(root=tmp_path))
    assert problems == []
    related = related_posts(posts)
    assert [p.entry.slug for p in related[[p.url for p in posts if p.entry.slug == "e0000"][0]]] == [
        "e0001", "e0002", "e0003", "e0005", "e0006"]


def test_no_shared_terms_means_no_related_entries(tmp_path):
    base = datetime(2025, 7, 1, tzinfo=timezone.utc)
    posts, _ = place_posts([make_entry(1, base, tags=("a",)), make_entry(2, base, tags=("b",))], Config(root=tmp_path))
    assert all(value == () for value in related_posts(posts).values())


def test_matches_the_pairwise_definition_and_is_deterministic(tmp_path):
    rng = random.Random(8)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    pool = [f"t{n}" for n in range(30)]
    entries = [make_entry(n, base + timedelta(hours=rng.randrange(24 * 400)),
                          tags=tuple(rng.sample(pool, rng.randint(1, 5))),
                          people=tuple(rng.sample(["Ana", "Bo", "Cy", "Di"], rng.randint(0, 2))),
                          places=tuple(rng.sample(["Kyiv", "Oslo", "Lima"], rng.randint(0, 1))),
                          story=rng.choice([None, None, None, "S1", "s2"]))
               for n in range(400)]
    config = Config(root=tmp_path)
    posts, _ = place_posts(entries, config)
    fast = related_posts(posts)
    assert fast == brute_force(posts)
    shuffled, _ = place_posts(rng.sample(entries, len(entries)), config)
    assert related_posts(shuffled) == fast
    assert all(len(value) <= 5 and all(p.url != url for p in value) for url, value in fast.items())



def test_worked_out_only_when_asked_and_the_same_in_any_order(tmp_path):
    """A rebuild that renders a few entry pages scores only their posts; the answer does not
    depend on which were asked first."""
    rng = random.Random(3)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    entries = [make_entry(n, base + timedelta(days=n), tags=tuple(rng.sample(["a", "b", "c", "d"], 2)),
                          people=tuple(rng.sample(["Ana", "Bo"], rng.randint(0, 1)))) for n in range(60)]
    posts, _ = place_posts(entries, Config(root=tmp_path))
    expected = brute_force(posts)
    index = RelatedIndex(posts)
    asked = rng.sample([post.url for post in posts], 7)
    pages = [Related(index, url) for url in asked]
    assert index.found == {}  # nothing scored until a page reads it
    for page, url in zip(pages, asked):
        assert bool(page) == bool(expected[url]) and len(page) == len(expected[url])
        assert list(page) == list(expected[url]) and page == expected[url]
    assert set(index.found) == set(asked)
    assert index.of("no/such/entry/") == ()



def test_scoring_from_the_sites_groups_equals_the_definition(tmp_path):
    """A few questions are answered from the site's taxonomies and stories, without the
    index: for every entry, that answer is the pairwise definition's, as the index's is."""
    rng = random.Random(11)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    pool = [f"t{n}" for n in range(12)] + ["T1", "Kyiv talks", "kyiv  TALKS"]
    def distinct(values):  # as entries.to_text_list leaves a list: one value per term key
        return tuple({term_key(value): value for value in reversed(values)}.values())[::-1]

    entries = [make_entry(n, base + timedelta(hours=rng.randrange(24 * 60)),
                          tags=distinct(rng.sample(pool, rng.randint(1, 4))),
                          people=distinct(rng.sample(["Ana", "ana", "Bo", "Cy"], rng.randint(0, 2))),
                          places=tuple(rng.sample(["Kyiv", "Oslo"], rng.randint(0, 1))),
                          story=rng.choice([None, None, "S1", "s1", "Other"]))
               for n in range(250)]
    site, _ = build_site(entries, Config(root=tmp_path))
    index = next(route.context["related"].index for route in site.routes if route.template == "entry.html")
    assert index.terms is not None
    expected = brute_force(site.posts)
    assert {post.url: index._score_sharing(n) for n, post in enumerate(site.posts)} == expected
    index.walked, index.budget = 0, 3 * len(site.posts)  # then the index takes over: the same answers either side
    assert {post.url: index.of(post.url) for post in site.posts} == expected
    assert index.walked >= index.budget and index._features is not None  # both ways answered some
    without_groups = build_site(entries, Config(root=tmp_path, taxonomies=("tags", "sources")))[0]
    bare = next(route.context["related"].index for route in without_groups.routes if route.template == "entry.html")
    assert bare.terms is None and {post.url: bare.of(post.url) for post in without_groups.posts} == expected

def test_entry_page_shows_related_block_outside_search(site):
    root = site({
        "content/a.md": entry_text("Alpha", "2025-07-01", tags="[Ports]", people="[Ana Lima]"),
        "content/b.md": entry_text("Bravo", "2025-07-02", tags="[Ports]"),
        "content/c.md": entry_text("Charlie", "2025-07-03", tags="[Misc]", people="[ana lima]"),
        "content/d.md": entry_text("Delta", "2025-07-04", tags="[Misc]"),
        "content/e.md": entry_text("Echo", "2025-07-05", tags="[Lonely]"),
    }, 'permalink = "/{slug}/"\n')
    html = read(build_out(root), "a/index.html")
    block = html.split('<aside class="related"', 1)[1].split("</aside>", 1)[0]
    assert block.startswith(' aria-labelledby="related-title" data-pagefind-ignore>')
    assert [line.split('">')[1].split("<")[0] for line in block.splitlines() if "<li>" in line] == ["Charlie", "Bravo"]
    assert "data-pagefind-body" not in block
    assert '<aside class="related"' not in (root / "out/e/index.html").read_text(encoding="utf-8")
