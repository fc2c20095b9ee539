"""Language codes: which ones CLDR (through Babel) knows, which way each is written, and a
did-you-mean for the codes people write by mistake (`ua` for Ukrainian, which is `uk`)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers

from .errors import did_you_mean

# Codes people write for a language that spelling alone does not lead to: mostly a country's
# code where the language's is meant (Ukraine is UA, Ukrainian is uk).
OTHER_CODES = {"ua": "uk", "gr": "el", "cz": "cs", "dk": "da", "jp": "ja", "cn": "zh", "kr": "ko", "il": "he",
               "iw": "he", "gb": "en", "us": "en", "br": "pt", "at": "de", "by": "be", "rs": "sr", "ee": "et",
               "vn": "vi", "ge": "ka", "kz": "kk", "md": "ro", "in": "id", "ji": "yi"}


@lru_cache(maxsize=None)
def known_languages() -> frozenset[str]:
    """Every language code CLDR has data for, as BCP 47 tags (`pt-BR`, `sr-Latn`)."""
    return frozenset(identifier.replace("_", "-") for identifier in locale_identifiers())


@lru_cache(maxsize=256)
def language_problem(tag: str) -> str | None:
    """Why `tag` is no language digest can write dates and numbers in, or None.
    `ua` -> "unknown language code 'ua' (did you mean 'uk'?)"."""
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        primary = {code.split("-")[0] for code in known_languages()}
        return (f"unknown language code '{tag}'{did_you_mean(tag.split('-')[0].lower(), primary, OTHER_CODES)}; "
                "write a BCP 47 tag such as 'en', 'uk', 'ru' or 'pt-BR'")
    return None


@lru_cache(maxsize=256)
def locale_of(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def direction(tag: str) -> str:
    """`rtl` for a language written right to left (`ar`, `he`, `fa`, `az-Arab`), else `ltr`."""
    try:
        return "rtl" if locale_of(tag).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"
