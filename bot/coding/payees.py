"""A payee as banks write it, reduced to the merchant: "SQ *BLUE BOTTLE COFFEE #0412 SAN FRANCISCO CA" and
"Blue Bottle Coffee Inc" are both `blue bottle coffee`.

The key decides which earlier payments a new one learns from, and which may be the same payment twice; the
name is what the card shows. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

# What card processors and marketplaces put before the merchant, up to their separator (`*` mostly).
PROCESSOR_PREFIX = re.compile(
    r"^\s*(?:sq|tst|sp|sqsp|paypal|pp|paddle\.net|paddle|2co(?:\.com)?|fs|fastspring|stripe|"
    r"sumup|sum ?up|iz|izettle|zettle|lsp|ls|dri|dnh|py|wpy|ec|grc|ckout|checkout|pos|nyx|mp)\s*\*\s*",
    re.IGNORECASE,
)
# Brands that sell through themselves: "GOOGLE *CLOUD" is Google Cloud, not a merchant called Cloud.
BRAND_PREFIX = re.compile(r"^\s*(?:google|goog)\s*\*\s*(?:google\b\s*)?", re.IGNORECASE)
# Bank wording before the merchant on a card line.
BANK_PREFIX = re.compile(
    r"^\s*(?:(?:debit|credit|visa|mastercard|mc|card|pos|contactless|online)\s+)*"
    r"(?:purchase|payment(?:\s+to)?|pmt|pos|txn)\s+",
    re.IGNORECASE,
)
# Marketplaces whose line names an order, not a merchant: the whole line is the marketplace.
MARKETPLACES = (
    (re.compile(r"^\s*(?:amzn|amazon)\s*(?:mktp|mktplace|marketplace|\.com|digital|prime)\b", re.IGNORECASE), "Amazon"),
    (re.compile(r"^\s*amzn\b", re.IGNORECASE), "Amazon"),
    (re.compile(r"^\s*apple\.com\s*/\s*bill\b", re.IGNORECASE), "Apple"),
)
DOMAIN = re.compile(
    r"\b(?:www\.)?([a-z0-9-]+)\.(?:com|net|org|io|co|ai|app|dev|so|me|tv|sg|de|uk|au|nz|fr|nl)\b(?:\.[a-z]{2}\b)?",
    re.IGNORECASE,
)

LEGAL_SUFFIXES = tuple(
    tuple(words.split())
    for words in (
        "gmbh and co kg",
        "and co kg",
        "and co",
        "pte ltd",
        "pte limited",
        "pty ltd",
        "pty limited",
        "pvt ltd",
        "private limited",
        "sdn bhd",
        "co ltd",
        "co kg",
        "gmbh co kg",
        "s a",
        "b v",
        "n v",
        "l l c",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "plc",
        "corp",
        "corporation",
        "gmbh",
        "ag",
        "kg",
        "bv",
        "nv",
        "sa",
        "sarl",
        "sas",
        "srl",
        "spa",
        "oy",
        "ab",
        "as",
        "aps",
        "kk",
        "bhd",
        "pte",
        "pty",
        "co",
        "company",
    )
)
PLACE_WORDS = tuple(
    tuple(words.split())
    for words in (
        "singapore sg",
        "singapore",
        "sgp",
        "london",
        "london gb",
        "manchester",
        "edinburgh",
        "dublin",
        "sydney",
        "melbourne",
        "brisbane",
        "perth",
        "auckland",
        "wellington",
        "new york",
        "new york city",
        "nyc",
        "san francisco",
        "south san francisco",
        "los angeles",
        "seattle",
        "boston",
        "chicago",
        "austin",
        "palo alto",
        "mountain view",
        "menlo park",
        "cupertino",
        "berlin",
        "munich",
        "muenchen",
        "hamburg",
        "amsterdam",
        "paris",
        "madrid",
        "barcelona",
        "lisbon",
        "stockholm",
        "copenhagen",
        "oslo",
        "helsinki",
        "zurich",
        "geneva",
        "vienna",
        "prague",
        "warsaw",
        "toronto",
        "vancouver",
        "montreal",
        "hong kong",
        "tokyo",
        "seoul",
        "bangkok",
        "kuala lumpur",
        "jakarta",
        "manila",
        "mumbai",
        "bangalore",
        "bengaluru",
        "dubai",
        "tel aviv",
        "cork",
        "luxembourg",
        "internet",
        "online",
    )
)
# Two-letter country and US state codes, and three-letter country codes, at the very end of a card line.
PLACE_CODES = frozenset(
    {
        *("sg", "gb", "uk", "us", "usa", "au", "aus", "nz", "nzl", "ie", "irl", "de", "deu", "fr", "fra", "nl"),
        *("nld", "ca", "can", "jp", "jpn", "hk", "hkg", "my", "mys", "in", "ind", "ch", "che", "se", "swe", "dk"),
        *("dnk", "no", "nor", "fi", "fin", "es", "esp", "it", "ita", "pt", "prt", "be", "bel", "at", "aut", "lu"),
        *("lux", "ae", "are", "gbr", "sgp", "ny", "nj", "wa", "tx", "il", "ma", "or", "co", "ga", "fl"),
    }
)
# Words a line may end with that say nothing about the merchant.
NOISE_WORDS = frozenset({"store", "shop", "branch", "terminal", "term", "pos", "no", "nr", "ref", "id", "trip"})
WORD = re.compile(r"[A-Za-z0-9]+")
HAS_DIGIT = re.compile(r"[0-9]").search
MATCH_THRESHOLD = 90  # rapidfuzz's token_set_ratio at which two keys name the same merchant


@dataclass(frozen=True)
class Payee:
    key: str  # lower-case words, the merchant only: what payments are matched on
    name: str  # the same words as the bank wrote them, for people


@lru_cache(maxsize=65536)
def normalise(raw: str) -> Payee:
    """The merchant in a bank's payee line; the line itself (lower-cased) when nothing is left of it."""
    for pattern, name in MARKETPLACES:
        if pattern.search(raw):
            return Payee(name.lower(), name)
    text = raw
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(c))
    stripped = _strip_prefixes(text)
    stripped = stripped.replace("&", " and ").replace("'", "").replace("\u2019", "")
    for _ in range(2):  # "BOOKING.COM.COM"
        stripped = DOMAIN.sub(lambda m: m.group(1), stripped)
    words = _words(stripped)
    kept = _strip_tail(words)
    if not kept:
        fallback = " ".join(w for w, _ in _words(text)) or raw.strip().lower()
        return Payee(fallback, raw.strip())
    return Payee(" ".join(lower for lower, _ in kept), _display(kept, raw))


def same_merchant(first: str, second: str) -> bool:
    """Whether two normalised keys name the same merchant ("figma" and "figma design" do)."""
    if first == second:
        return True
    if not first or not second:
        return False
    return fuzz.token_set_ratio(first, second) >= MATCH_THRESHOLD


def _strip_prefixes(text: str) -> str:
    for _ in range(3):
        before = text
        text = PROCESSOR_PREFIX.sub("", text, count=1)
        text = BRAND_PREFIX.sub("Google ", text, count=1)
        text = BANK_PREFIX.sub("", text, count=1)
        if text == before:
            break
    if "*" in text:
        head, _, tail = text.partition("*")
        text = head if head.strip() else tail
    return text


def _words(text: str) -> list[tuple[str, str]]:
    """(lower-case, as written) for each word; a domain's dots and a token's punctuation split words."""
    return [(written.lower(), written) for written in WORD.findall(text)]


def _ends_with(words: list[tuple[str, str]], phrase: tuple[str, ...]) -> bool:
    return len(words) > len(phrase) and tuple(lower for lower, _ in words[-len(phrase) :]) == phrase


def _by_last_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by their last word, longest first: the end of a line is checked against a handful, not a hundred."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        grouped.setdefault(phrase[-1], []).append(phrase)
    return grouped


TAIL_PHRASES = _by_last_word((*LEGAL_SUFFIXES, *PLACE_WORDS))


def _strip_tail(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop, from the end and while a word is left, numbers, places, legal forms and noise words."""
    kept = list(words)
    while len(kept) > 1:
        last = kept[-1][0]
        if last in NOISE_WORDS or last in PLACE_CODES or HAS_DIGIT(last):
            kept.pop()
            continue
        phrase = next((p for p in TAIL_PHRASES.get(last, ()) if _ends_with(kept, p)), None)
        if phrase is None:
            break
        del kept[-len(phrase) :]
    return kept


def _display(kept: list[tuple[str, str]], raw: str) -> str:
    """The merchant's words as written; a line in capitals gets capitals on each word instead."""
    shouting = raw.upper() == raw
    return " ".join(written.capitalize() if shouting and len(written) > 3 else written for _, written in kept)
