"""A synthetic news corpus for the benchmarks: N entries, the same N and seed giving the same
bytes on every machine and Python version (random.Random with a seed is stable across
versions for the calls used here: random(), randrange(), choice(), choices(), shuffle()).

    python benchmarks/make_corpus.py --n 4000 --seed 1 --out .bench/corpus-4000

Each entry is DIR/YYYY/MM/slug.md, as editors keep them: YAML front matter with title,
date, author, source (name and url), 2-6 tags, 0-3 people and a summary, then a Markdown
body of 250-450 words in paragraphs, with a heading, a list and a link in some. Tags are
drawn from 255 with Zipf-like weights (a few tags on thousands of entries, most on a
handful), people from 400 names; both include non-ASCII names, as real news does.
Standard library only.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

TOPICS = [
    "elections", "economy", "inflation", "energy", "climate", "health", "education", "housing",
    "transport", "trade", "migration", "agriculture", "water", "technology", "cybersecurity",
    "defence", "diplomacy", "courts", "police", "labour", "strikes", "tourism", "culture", "sport",
    "science", "space", "media", "religion", "tax", "budget", "banking", "insurance", "pensions",
    "wildfires", "floods", "drought", "earthquakes", "fisheries", "forestry", "mining", "shipping",
    "aviation", "railways", "telecoms", "data protection", "human rights", "corruption", "protests",
    "sanctions", "ceasefire talks", "refugees", "vaccines", "hospitals", "universities", "schools",
    "startups", "artificial intelligence", "semiconductors", "oil", "gas", "nuclear power",
    "wind power", "solar power", "electric cars", "public health", "food prices", "rents",
]
PLACES = [
    "Kyiv", "Lviv", "Odesa", "Kharkiv", "Warsaw", "Łódź", "Kraków", "Berlin", "München", "Köln",
    "Zürich", "Genève", "Wien", "Praha", "Brno", "Bratislava", "Budapest", "București", "Chișinău",
    "Sofia", "Athína", "Θεσσαλονίκη", "İstanbul", "Ankara", "Tbilisi", "Yerevan", "Baku", "Riga",
    "Vilnius", "Tallinn", "Helsinki", "Stockholm", "Göteborg", "Oslo", "København", "Reykjavík",
    "Dublin", "London", "Paris", "Marseille", "Lyon", "Bruxelles", "Antwerpen", "Rotterdam",
    "Lisboa", "Porto", "Madrid", "Sevilla", "Barcelona", "Roma", "Milano", "Napoli", "Valletta",
    "São Paulo", "Bogotá", "Ciudad de México", "Montréal", "Québec", "Nuuk", "Dakar", "Lagos",
    "Nairobi", "Addis Ababa", "Cairo", "Tunis", "Beirut", "القدس", "Tel Aviv", "Tehrān", "Karachi",
    "Delhi", "Dhaka", "Kathmandu", "Colombo", "Bangkok", "Hà Nội", "Manila", "Jakarta", "Seoul",
    "東京", "大阪", "北京", "上海", "Taipei", "Sydney", "Auckland", "Москва", "Київщина", "Запоріжжя",
]
INSTITUTIONS = [
    "European Union", "NATO", "United Nations", "World Bank", "IMF", "WHO", "OSCE", "G7", "G20",
    "African Union", "ASEAN", "OPEC", "Council of Europe", "European Parliament", "ECB",
    "Verkhovna Rada", "Bundestag", "Sejm", "Assemblée nationale", "Cortes Generales",
]
QUALIFIERS = ["policy", "reform", "crisis", "investigation", "summit", "report"]

FIRST = ["Olena", "Mykola", "Anna", "Piotr", "Zofia", "Jürgen", "Søren", "Inés", "José", "María",
         "Chloé", "François", "Giulia", "Luca", "Ayşe", "Mehmet", "Nino", "Giorgi", "Fatima", "Omar",
         "Amara", "Kwame", "Wanjiru", "Hiroshi", "Yuki", "Min-jun", "Seo-yeon", "Nguyễn", "Priya",
         "Arjun", "Björn", "Ingrid", "Tomás", "Siobhán", "Dmytro", "Ксенія", "Ελένη", "Lucía",
         "Mateusz", "Ewa"]
LAST = ["Kovalenko", "Shevchenko", "Nowak", "Wiśniewska", "Müller", "Schäfer", "Dahl", "Álvarez",
        "García", "Martín", "Lefèvre", "Dubois", "Rossi", "Bianchi", "Yılmaz", "Demir", "Beridze",
        "Haddad", "Mensah", "Okafor", "Kamau", "Tanaka", "Sato", "Kim", "Park", "Trần", "Sharma",
        "Iyer", "Lindqvist", "Ó Briain", "Бондар", "Παπαδοπούλου", "Ferreira", "Kowalczyk",
        "Horváth", "Novák", "Popescu", "Ivanova", "Jansen", "Brandt"]
AUTHORS = ["Marta Okafor", "Jonas Weber", "Aiko Mori", "Daniel Costa", "Léa Martin", "Oksana Melnyk",
           "Samuel Adeyemi", "Katarzyna Zielińska", "Rafael Díaz", "Emma Lund", "Hamid Rahimi",
           "Grace Njoroge", "Tom Ellis", "Nadia Haddad", "Ilya Petrenko", "Sofia Greco"]
OUTLETS = ["Harbour Wire", "Riverlands Daily", "The Continental", "Morning Ledger", "Radio Meridian",
           "Eastern Review", "Capital Courier", "Northern Post", "Global Desk", "Le Quotidien",
           "Der Tagesbote", "Kurier Polski", "Ukrainska Hazeta", "Asia Bulletin", "Southern Signal"]

VERBS = ["announced", "rejected", "approved", "delayed", "proposed", "criticised", "welcomed",
         "questioned", "extended", "cut", "raised", "reviewed", "signed", "suspended", "defended"]
NOUNS = ["plan", "budget", "agreement", "bill", "inquiry", "deal", "ruling", "programme", "strategy",
         "forecast", "proposal", "package", "deadline", "framework", "report", "contract", "timetable"]
ADJECTIVES = ["new", "revised", "long-awaited", "controversial", "temporary", "regional", "national",
              "joint", "emergency", "five-year", "cross-border", "draft", "final", "modest", "sweeping"]
ACTORS = ["the government", "ministers", "the opposition", "regulators", "the central bank",
          "local officials", "union leaders", "industry groups", "the commission", "prosecutors",
          "aid agencies", "analysts", "residents", "lawmakers", "negotiators", "the mayor's office"]
FILLERS = ["according to people familiar with the talks", "after weeks of negotiation",
           "despite objections from business groups", "in a statement on its website",
           "at a press conference on Tuesday", "ahead of a vote next month",
           "amid rising costs across the region", "in a move that surprised observers",
           "following a court decision last year", "as pressure from neighbouring countries grew"]
AFFECTED = ["households", "firms", "farms", "schools", "hospitals", "workers", "routes", "homes"]
HEADINGS = ["Background", "What happens next", "Reactions", "The numbers", "Context"]

SLUG_TABLE = {ord(c): "-" for c in " /'’,.:;()"}


def tag_names() -> list[str]:
    """255 distinct tags, most frequent first: topics, places, institutions, then compounds."""
    names = TOPICS + PLACES + INSTITUTIONS
    for qualifier in QUALIFIERS:
        for topic in TOPICS:
            if len(names) == 255:
                return names
            names.append(f"{topic} {qualifier}")
    return names[:255]


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    return [1 / (rank ** exponent) for rank in range(1, count + 1)]


def person_names() -> list[str]:
    return [f"{first} {last}" for first in FIRST for last in LAST][::4]   # 400 of 1,600 pairs


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and hyphens (titles here are ASCII by construction)."""
    plain = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower().translate(SLUG_TABLE))
    return "-".join(part for part in plain.split("-") if part)[:70].rstrip("-")


def yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Writer:
    """One corpus: every choice comes from one seeded random.Random, in a fixed order."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.tags = tag_names()
        self.tag_weights = zipf_weights(len(self.tags))
        self.people = person_names()
        self.people_weights = zipf_weights(len(self.people), 0.9)

    def pick_tags(self) -> list[str]:
        wanted = self.random.randint(2, 6)
        chosen: list[str] = []
        while len(chosen) < wanted:
            [tag] = self.random.choices(self.tags, weights=self.tag_weights)
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    def pick_people(self) -> list[str]:
        chosen: list[str] = []
        for _ in range(self.random.choice((0, 1, 1, 2, 2, 3))):
            [person] = self.random.choices(self.people, weights=self.people_weights)
            if person not in chosen:
                chosen.append(person)
        return chosen

    def sentence(self, subject: str | None = None) -> str:
        r = self.random
        words = (f"{subject or r.choice(ACTORS)} {r.choice(VERBS)} the {r.choice(ADJECTIVES)} "
                 f"{r.choice(NOUNS)} on {r.choice(TOPICS)}")
        if r.random() < 0.6:
            words += f", {r.choice(FILLERS)}"
        if r.random() < 0.3:
            words += f", with {r.randrange(2, 95)} percent of {r.choice(AFFECTED)} affected"
        return words[0].upper() + words[1:] + "."

    def body(self, tags: list[str], people: list[str]) -> str:
        """Paragraphs of whole sentences until the word count reaches a target of 250-420; no
        block is cut, so a body ends at 250-450 words."""
        r = self.random
        target = r.randint(250, 420)
        blocks: list[str] = []
        count = 0
        while count < target:
            kind = r.random()
            if blocks and kind < 0.08:
                block = f"## {r.choice(HEADINGS)}"
            elif blocks and kind < 0.16 and target - count > 80:
                block = "\n".join(f"- {self.sentence()}" for _ in range(r.randint(2, 3)))
            else:
                subjects = people + [None, None, None]
                sentences: list[str] = []
                while len(sentences) < r.randint(2, 5) and count + len(" ".join(sentences).split()) < target:
                    sentences.append(self.sentence(r.choice(subjects)))
                if r.random() < 0.15:
                    sentences.append(f"The full text is [published online](https://example.org/docs/{r.randrange(10**6)}).")
                block = " ".join(sentences)
            blocks.append(block)
            count += len(block.split())
        return "\n\n".join(blocks) + "\n"

    def entry(self, when: datetime, used: set[str]) -> tuple[str, str]:
        r = self.random
        tags = self.pick_tags()
        people = self.pick_people()
        subject = people[0] if people and r.random() < 0.5 else r.choice(ACTORS).capitalize()
        title = f"{subject} {r.choice(VERBS)} {r.choice(ADJECTIVES)} {r.choice(NOUNS)} on {tags[0]}"
        slug = base = slugify(f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} {r.choice(TOPICS)} {r.choice(VERBS)}")
        number = 2
        while f"{when:%Y/%m}/{slug}" in used:
            slug, number = f"{base}-{number}", number + 1
        used.add(f"{when:%Y/%m}/{slug}")
        outlet = r.choice(OUTLETS)
        lines = ["---", f"title: {yaml_quoted(title)}", f"date: {when.isoformat()}",
                 f"author: {yaml_quoted(r.choice(AUTHORS))}", "source:",
                 f"  name: {yaml_quoted(outlet)}",
                 f"  url: https://example.org/{slugify(outlet)}/{when:%Y/%m/%d}/{slug}",
                 "tags:", *[f"  - {yaml_quoted(tag)}" for tag in tags]]
        if people:
            lines += ["people:", *[f"  - {yaml_quoted(person)}" for person in people]]
        lines += [f"summary: {yaml_quoted(self.sentence(subject))}", "---", ""]
        return f"{when:%Y}/{when:%m}/{slug}.md", "\n".join(lines) + self.body(tags, people)


def write_corpus(out: Path, n: int, seed: int) -> int:
    writer = Writer(seed)
    newest = datetime(2025, 6, 30, 18, 0, tzinfo=timezone.utc)
    used: set[str] = set()
    for number in range(n):
        # About three years of news, evenly spread, minutes apart at random.
        when = newest - timedelta(minutes=number * (3 * 365 * 24 * 60 // max(n, 1)) + writer.random.randrange(60))
        relative, text = writer.entry(when.replace(second=0), used)
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of entries")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (its YYYY/MM/ folders)")
    args = parser.parse_args()
    count = write_corpus(args.out, args.n, args.seed)
    print(f"{count} entries in {args.out}")


if __name__ == "__main__":
    main()
