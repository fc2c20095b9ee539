"""The template contract: what each template may read, as plain immutable view records.

A template never sees the live site model. Each page kind gets one context record (ListPage,
EntryPage, ...), built here from its route in one function per kind; every template also sees
the COMMON names (`config`, `site`, `page_url`). Everything in a context is a plain value: text,
numbers, dates, tuples, a FrozenMap, or a record defined below. So a page is a pure function
of its templates, the code, the settings and its context: that is its fingerprint (reuse.py),
whatever theme renders it. docs/reference/templates.md documents each record, and
tests/test_contract.py checks the two against each other.

An entry is an EntryView wherever it shows (a card, a feed item, a related link, the entry's
own page): one record per post per build, made from its Entry and URL alone, so a page that
shows an entry holds it whole and reuse.py can tell which pages show which entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, make_dataclass, replace
from datetime import date
from functools import cached_property
from types import FunctionType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .config import Config
from .entries import Correction, Entry, Moment
from .images import LeadImage, Picture, Rendition
from .markdown import has_footnotes, localized_footnotes
from .charts import Bar, Chart, ChartOf
from .issues import Issue, IssueGroup
from .model import Month, Pager, Post, Route, Site, Taxonomy, Term
from .related import Related
from .sections import Translation, language_name, section_prefix
from .stories import Story, StoryPlace
from .syndication import Feed, make_sitemap, sitemap_part
from .taxonomies import EntryTerms
from .strings import english_strings


class FrozenMap(Mapping):
    """A read-only mapping (name -> value) for templates: `terms.tags`, `sizes[slug]`, `.items()`."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping | None = None):
        self._items = dict(items or {})

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self):
        return FrozenMap, (self._items,)

    def __eq__(self, other) -> bool:
        return isinstance(other, FrozenMap) and self._items == other._items

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))


# --- the records -------------------------------------------------------------------------

# An entry as templates see it: its URL, its Entry's fields but those that only serve
# messages (lines, links), and the dates made from them (Entry's properties). A field added to
# Entry reaches templates here by itself (and tests/test_contract.py asks for its docs).
ENTRY_HIDDEN = ("lines", "links")
ENTRY_DERIVED = (("when", "Moment"), ("modified", "Moment"), ("last_change", "Moment | None"))
EntryView = make_dataclass(
    "EntryView", [("url", str)] + [(f.name, f.type) for f in fields(Entry) if f.name not in ENTRY_HIDDEN]
    + list(ENTRY_DERIVED), frozen=True, slots=True)
EntryView.__doc__ = "One entry (a post): its URL, `when`, and the fields of its front matter and body."
EntryView.__module__ = __name__


ENTRY_SHOWN = tuple(f.name for f in fields(Entry) if f.name not in ENTRY_HIDDEN)


def entry_view(url: str, entry: Entry, body_html: str | None = None) -> Any:
    """body_html: the body as pages show it, if not as parsed (its footnotes' words: Views.entry)."""
    view = EntryView(url, *[getattr(entry, name) for name in ENTRY_SHOWN],
                     *[getattr(entry, name) for name, _ in ENTRY_DERIVED])
    return view if body_html is None else replace(view, body_html=body_html)


# The settings as templates see them: every setting but those about where files are read and
# written, plus the values derived from them that templates need.
SETTINGS_HIDDEN = ("root", "raw", "content_dir", "output_dir", "strict", "search")
SETTINGS_DERIVED = (("base_path", str), ("direction", str), ("tz", ZoneInfo))
Settings = make_dataclass(
    "Settings", [(f.name, f.type) for f in fields(Config) if f.name not in SETTINGS_HIDDEN] + list(SETTINGS_DERIVED),
    frozen=True, slots=True)
Settings.__doc__ = "The site's settings (`config`)."
Settings.__module__ = __name__


def settings_view(config: Config) -> Any:
    values = {f.name: getattr(config, f.name) for f in fields(Settings)}
    return Settings(**values)


@dataclass(frozen=True, slots=True)
class TermLink:
    """A tag, person, place or source, linked: `count` only where the page shows it."""

    taxonomy: str               # tags, people, places, sources
    key: str                    # the term's case-folded key
    name: str                   # its most used spelling
    slug: str
    url: str
    count: int | None           # its entries: on the terms index and a term's first listing page, else none


@dataclass(frozen=True, slots=True)
class TaxonomyLink:
    name: str                   # tags, people, places, sources
    title: str                  # Tags
    singular: str               # tag
    url: str
    terms: tuple = ()           # TermLink with counts, by name: on the terms index only


@dataclass(frozen=True, slots=True)
class SectionLink:
    """One language's section of a site of several languages (the `languages` setting)."""

    language: str               # its language tag: hreflang, lang
    name: str                   # the language's own name: Українська
    url: str                    # its home page: "" for the site's language, `uk/` for another


@dataclass(frozen=True, slots=True)
class SiteView:
    """What every page knows of the site, as the page's language section shows it: its
    taxonomies for the navigation, its home page, the sections of the other languages, and
    the image of the `default_image` setting (social cards)."""

    taxonomies: FrozenMap       # name -> TaxonomyLink (without terms) of the section, in settings order
    default_image: LeadImage | None = None
    language: str = ""          # the section's language
    home: str = ""              # the section's home page: "", or `uk/`; its listings are below it
    languages: tuple = ()       # SectionLink of every section, the site's language first; none without `languages`
    menu_urls: tuple = ()       # the URLs the site's menu links to, in its order (base.html marks the current one)


@dataclass(frozen=True, slots=True)
class PagerView:
    number: int                 # 1-based
    total: int
    url: str
    prev_url: str | None
    next_url: str | None
    posts: tuple                # EntryView, newest first


@dataclass(frozen=True, slots=True)
class MonthLink:
    year: int
    month: int                  # 1-12
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class StoryLink:
    name: str
    slug: str
    url: str
    feed_url: str
    count: int
    first: Moment               # its earliest event
    last: Moment                # its latest event
    updated: Moment             # its latest publication date


@dataclass(frozen=True, slots=True)
class StoryPlaceView:
    story: StoryLink
    position: int               # 1-based, in timeline order
    previous: Any               # EntryView or None
    next: Any                   # EntryView or None


class TimelineItem(NamedTuple):
    post: Any                   # EntryView
    terms: FrozenMap            # taxonomy name -> TermLink (no counts)


@dataclass(frozen=True, slots=True)
class IssueLink:
    year: int
    week: int
    start: date                 # Monday
    end: date                   # Sunday
    url: str
    count: int
    updated: Moment


@dataclass(frozen=True, slots=True)
class IssueGroupView:
    kind: str                   # story or tag
    name: str
    url: str                    # the story's or tag's page, or "" for none
    posts: tuple                # EntryView


@dataclass(frozen=True, slots=True)
class IssueView:
    year: int
    week: int
    start: date
    end: date
    url: str
    count: int
    updated: Moment
    posts: tuple                # EntryView, oldest first
    groups: tuple               # IssueGroupView


@dataclass(frozen=True, slots=True)
class FeedView:
    url: str                    # the feed file
    title: str
    page_url: str               # the page it follows
    posts: tuple                # EntryView, newest first
    updated: Moment | None      # the newest entry's date
    language: str               # the language of its section


class SitemapItem(NamedTuple):
    loc: str                    # absolute URL
    lastmod: str                # ISO date of the newest entry the page shows, or ""


# --- the contexts, one per page kind ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ListPage:
    """list.html: the home page, a term's listing, a month."""

    kind: str                   # home, month, or the taxonomy's name
    title: str | None
    pager: PagerView
    term: TermLink | None = None          # term listings
    taxonomy: TaxonomyLink | None = None  # term listings
    month: MonthLink | None = None        # month listings
    chart: Chart | None = None            # a term listing's first page


@dataclass(frozen=True, slots=True)
class EntryPage:
    post: Any                   # EntryView
    terms: FrozenMap            # taxonomy name -> tuple of TermLink (no counts), in the entry's order
    story_place: StoryPlaceView | None
    related: tuple              # EntryView
    translations: tuple = ()    # Translation: every language version, its own included, or none


@dataclass(frozen=True, slots=True)
class TermsPage:
    title: str
    taxonomy: TaxonomyLink      # with its terms and their counts
    sizes: FrozenMap            # term slug -> size step 1-5


@dataclass(frozen=True, slots=True)
class ArchivePage:
    title: str
    months: tuple               # MonthLink, newest first
    chart: Chart | None


@dataclass(frozen=True, slots=True)
class StoriesPage:
    title: str
    stories: tuple              # StoryLink, most recently updated first


@dataclass(frozen=True, slots=True)
class StoryPage:
    title: str
    story: StoryLink
    timeline: tuple             # TimelineItem, oldest first
    chart: Chart | None


@dataclass(frozen=True, slots=True)
class DigestsPage:
    title: str
    issues: tuple               # IssueLink, newest first


@dataclass(frozen=True, slots=True)
class IssuePage:
    title: str
    issue: IssueView
    newer: IssueLink | None
    older: IssueLink | None


@dataclass(frozen=True, slots=True)
class DigestFeedPage:
    issues: tuple               # IssueView, newest first


@dataclass(frozen=True, slots=True)
class FeedPage:
    feed: FeedView


@dataclass(frozen=True, slots=True)
class SitemapPage:
    items: tuple                # SitemapItem
    alternates: FrozenMap       # absolute URL -> (hreflang, absolute URL) of each language version


@dataclass(frozen=True, slots=True)
class NewsSitemapPage:
    posts: tuple                # EntryView: the last two days' entries, newest first


@dataclass(frozen=True, slots=True)
class SitemapIndexPage:
    parts: tuple                # file names of the sitemaps: sitemap-1.xml, ...


@dataclass(frozen=True, slots=True)
class AliasPage:
    """alias.html: the redirect page at an old URL of an entry."""

    target: Any                 # EntryView: the entry now


@dataclass(frozen=True, slots=True)
class SearchPage:
    title: str
    languages: tuple            # the search index's languages (tags) when it has several, else none


@dataclass(frozen=True, slots=True)
class TitledPage:
    title: str


@dataclass(frozen=True, slots=True)
class EmptyPage:
    pass


# Each bundled template that is a page, with its context record; partials (`_*.html`) see the
# context of the page that includes them, macros only their arguments and the common names.
CONTEXTS = {
    "list.html": ListPage, "entry.html": EntryPage, "terms.html": TermsPage, "archive.html": ArchivePage,
    "stories.html": StoriesPage, "story.html": StoryPage, "digests.html": DigestsPage,
    "digest_issue.html": IssuePage, "digest_feed.xml": DigestFeedPage, "atom.xml": FeedPage,
    "feed.json": FeedPage, "sitemap.xml": SitemapPage, "sitemap_index.xml": SitemapIndexPage,
    "news_sitemap.xml": NewsSitemapPage,
    "search.html": SearchPage, "404.html": TitledPage, "alias.html": AliasPage, "robots.txt": EmptyPage,
}
# What every template sees besides its context: the settings, the site, the page's own URL and
# the interface's strings in the page's language.
COMMON = {"config": "Settings", "site": "SiteView", "page_url": "str", "t": "Strings"}


def site_view(site: Site, language: str | None = None) -> SiteView:
    """The site as the pages of one language's section see it (default: the site language's):
    the navigation's taxonomies (the settings and the section language's strings decide them,
    not the content), its home, the other sections and the default image, as the build read it."""
    config = site.config
    language = language or config.language
    home = section_prefix(config, language)
    strings = site.catalog[language]
    taxonomies = FrozenMap({name: TaxonomyLink(name, strings.text(f"taxonomy.{name}"), tax.singular, f"{home}{name}/")
                            for name, tax in site.taxonomies.items()})
    sections = tuple(SectionLink(tag, language_name(tag), section_prefix(config, tag))
                     for tag in config.site_languages) if config.languages else ()
    menu = (home, *(taxonomy.url for taxonomy in taxonomies.values()),
            *(f"{home}{page}/" for page in ("stories", "digest", "archive", "search")))
    return SiteView(taxonomies, site.default_image, language, home, sections, menu)


# --- building the contexts ----------------------------------------------------------------

class Views:
    """The view records of one site, each made once, when a page first needs it: a rebuild
    fingerprints and renders few pages, and an entry shows on many.

    revised: post URL -> a newer version of its entry that the site model reads the same
    (site.model_fields): `digest serve` shows an edit of a title or a body this way, with
    the model kept as it is."""

    def __init__(self, site: Site, revised: Mapping[str, Entry] | None = None):
        self.site = site
        self.revised = revised or {}
        # One per language section: what its pages' navigation shows (the settings decide them).
        self.site_views = {language: site_view(site, language) for language in
                           (site.config.site_languages if site.config.languages else (site.config.language,))}
        self.entries: dict[str, tuple] = {}   # post URL -> (its Entry, its EntryView, its token)
        self.terms: dict[tuple, tuple] = {}   # (id(term), counted) -> (the term, its TermLink)
        self.stories: dict[str, StoryLink] = {}
        self.issues: dict[int, IssueLink] = {}  # id(issue) -> its link (the site keeps the issue alive)
        self.sitemap_items: list | None = None
        self.sitemap_alternates: FrozenMap | None = None

    def sitemap(self, known=()) -> list[tuple[str, str]]:
        """The sitemap's items (syndication.make_sitemap), made once: the sitemap's fingerprint and
        its template both read every one, 175,000 of them at 100,000 entries. known: the
        last-modified texts known already, for the first call (reuse.rekeyed)."""
        if self.sitemap_items is None:
            self.sitemap_items = make_sitemap(self.site, known)
        return self.sitemap_items

    def page(self, route: Route):
        """The route's template context."""
        return getattr(self, BUILDERS[route.template])(route.context)

    def site_view(self, route: Route) -> SiteView:
        """`site` as the route's page sees it: its language section's."""
        return self.site_views.get(route.context.get("section"), self.site_views[self.site.config.language])

    # --- records shared by many pages ---

    def entry(self, post: Post):
        known = self.entries.get(post.url)
        if known is None:
            entry = self.revised.get(post.url, post.entry)
            token = f"P{post.url!r}{entry.fingerprint.hex()}"
            if has_footnotes(entry.body_html):  # their words in the entry's language, wherever it shows
                strings = self.site.catalog[entry.language] if self.site.catalog else english_strings()
                view = entry_view(post.url, entry, localized_footnotes(entry.body_html, strings))
                token += strings.token
            else:
                view = entry_view(post.url, entry)
            known = self.entries[post.url] = (entry, view, token)
        return known[1]

    def posts(self, posts) -> tuple:
        return tuple([self.entry(post) for post in posts])

    def term(self, term: Term, counted: bool) -> TermLink:
        known = self.terms.get((id(term), counted))
        if known is None or known[0] is not term:
            link = TermLink(term.taxonomy, term.key, term.name, term.slug, term.url,
                            len(term.posts) if counted else None)
            known = self.terms[(id(term), counted)] = (term, link)
        return known[1]

    def entry_terms(self, terms: Mapping) -> FrozenMap:
        return FrozenMap({name: tuple([self.term(term, False) for term in found]) for name, found in terms.items()})

    def taxonomy(self, taxonomy: Taxonomy, with_terms: bool = False) -> TaxonomyLink:
        terms = tuple([self.term(term, True) for term in taxonomy.terms]) if with_terms else ()
        return TaxonomyLink(taxonomy.name, taxonomy.title, taxonomy.singular, taxonomy.url, terms)

    def story(self, story: Story) -> StoryLink:
        known = self.stories.get(story.key)
        if known is None:
            known = self.stories[story.key] = StoryLink(story.name, story.slug, story.url, story.feed_url,
                                                        story.count, story.first, story.last, story.updated)
        return known

    def issue_link(self, issue: Issue | None) -> IssueLink | None:
        if issue is None:
            return None
        known = self.issues.get(id(issue))
        if known is None:
            known = self.issues[id(issue)] = IssueLink(
                issue.year, issue.week, issue.start, issue.end, issue.url, issue.count, issue.updated)
        return known

    def issue(self, issue: Issue) -> IssueView:
        # Not kept: it holds entries, and those are looked up afresh (see entry).
        return IssueView(issue.year, issue.week, issue.start, issue.end, issue.url, issue.count, issue.updated, self.posts(issue.posts), tuple([self.group(group) for group in issue.groups]))

    def group(self, group: IssueGroup) -> IssueGroupView:
        return IssueGroupView(group.kind, group.name, group.url, self.posts(group.posts))

    @staticmethod
    def chart(chart: ChartOf | Chart | None) -> Chart | None:
        return chart.chart if isinstance(chart, ChartOf) else chart

    # --- one context per page kind ---

    def list_page(self, context: dict) -> ListPage:
        pager: Pager = context["pager"]
        term, taxonomy, month = context.get("term"), context.get("taxonomy"), context.get("month")
        return ListPage(
            context["kind"], context["title"],
            PagerView(pager.number, pager.total, pager.url, pager.prev_url, pager.next_url, self.posts(pager.posts)),
            # A term's count shows on its first page only: the pages after it keep their bytes
            # when an older entry joins the term.
            self.term(term, pager.number == 1) if term is not None else None,
            self.taxonomy(taxonomy) if taxonomy is not None else None,
            self.month(month) if month is not None else None,
            self.chart(context.get("chart")))

    @staticmethod
    def month(month: Month) -> MonthLink:
        return MonthLink(month.year, month.month, month.url, len(month.posts))

    def entry_page(self, context: dict) -> EntryPage:
        place: StoryPlace | None = context["story_place"]
        story_place = None if place is None else StoryPlaceView(
            self.story(place.story), place.position,
            self.entry(place.previous) if place.previous is not None else None,
            self.entry(place.next) if place.next is not None else None)
        terms: EntryTerms = context["terms"]
        related: Related = context["related"]
        return EntryPage(self.entry(context["post"]), self.entry_terms(terms.terms), story_place,
                         self.posts(related.posts), tuple(context.get("translations", ())))

    def terms_page(self, context: dict) -> TermsPage:
        return TermsPage(context["title"], self.taxonomy(context["taxonomy"], with_terms=True),
                         FrozenMap(context["sizes"]))

    def archive_page(self, context: dict) -> ArchivePage:
        return ArchivePage(context["title"], tuple([self.month(month) for month in context["months"]]),
                           self.chart(context["chart"]))

    def stories_page(self, context: dict) -> StoriesPage:
        return StoriesPage(context["title"], tuple([self.story(story) for story in context["stories"]]))

    def story_page(self, context: dict) -> StoryPage:
        timeline = tuple([TimelineItem(self.entry(post), self.entry_terms(terms)) for post, terms in context["timeline"]])
        return StoryPage(context["title"], self.story(context["story"]), timeline, self.chart(context["chart"]))

    def digests_page(self, context: dict) -> DigestsPage:
        return DigestsPage(context["title"], tuple([self.issue_link(issue) for issue in context["issues"]]))

    def issue_page(self, context: dict) -> IssuePage:
        return IssuePage(context["title"], self.issue(context["issue"]), self.issue_link(context["newer"]),
                         self.issue_link(context["older"]))

    def digest_feed_page(self, context: dict) -> DigestFeedPage:
        return DigestFeedPage(tuple([self.issue(issue) for issue in context["issues"]]))

    def feed_page(self, context: dict) -> FeedPage:
        feed: Feed = context["feed"]
        return FeedPage(FeedView(feed.url, feed.title, feed.page_url, self.posts(feed.posts), feed.updated,
                                 feed.language or self.site.config.language))

    def sitemap_page(self, context: dict) -> SitemapPage:
        return SitemapPage(tuple([SitemapItem(*item) for item in sitemap_part(self.sitemap(), context.get("part", 0))]),
                           self.alternates())

    def alternates(self) -> FrozenMap:
        if self.sitemap_alternates is None:
            self.sitemap_alternates = FrozenMap(self.site.alternates)
        return self.sitemap_alternates

    def news_sitemap_page(self, context: dict) -> NewsSitemapPage:
        return NewsSitemapPage(self.posts(context["posts"]))

    @staticmethod
    def sitemap_index_page(context: dict) -> SitemapIndexPage:
        return SitemapIndexPage(tuple(context["parts"]))

    def search_page(self, context: dict) -> SearchPage:
        return SearchPage(context["title"], self.site.index_languages)

    @staticmethod
    def titled_page(context: dict) -> TitledPage:
        return TitledPage(context["title"])

    def alias_page(self, context: dict) -> AliasPage:
        return AliasPage(self.entry(context["target"]))

    @staticmethod
    def empty_page(context: dict) -> EmptyPage:
        return EmptyPage()


BUILDERS = {"list.html": "list_page", "entry.html": "entry_page", "terms.html": "terms_page",
            "archive.html": "archive_page", "stories.html": "stories_page", "story.html": "story_page",
            "digests.html": "digests_page", "digest_issue.html": "issue_page", "digest_feed.xml": "digest_feed_page",
            "atom.xml": "feed_page", "feed.json": "feed_page", "sitemap.xml": "sitemap_page",
            "sitemap_index.xml": "sitemap_index_page", "news_sitemap.xml": "news_sitemap_page", "search.html": "search_page", "404.html": "titled_page",
            "alias.html": "alias_page", "robots.txt": "empty_page"}


# Every record a template can meet, for the docs (docs/reference/templates.md) and their test.
RECORDS = (Settings, SiteView, SectionLink, EntryView, TermLink, TaxonomyLink, PagerView, MonthLink, StoryLink, StoryPlaceView,
           TimelineItem, IssueLink, IssueView, IssueGroupView, FeedView, SitemapItem, Chart, Bar, Moment, Correction,
           LeadImage, Picture, Rendition, Translation)


def record_names(kind: type) -> list[str]:
    """What a template can read of a record: its fields, then its properties and methods."""
    names = list(getattr(kind, "_fields", ())) or [f.name for f in fields(kind)]
    for name, value in vars(kind).items():
        if not name.startswith("_") and name not in names and isinstance(value, (property, cached_property, FunctionType)):
            names.append(name)
    return names


def as_names(context) -> dict:
    """A context record as the names a template reads."""
    return {f.name: getattr(context, f.name) for f in fields(context)}
