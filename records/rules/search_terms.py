"""How text becomes search terms: one tokenizer for document pages and for what people type, on both engines.

PostgreSQL's parser and SQLite's FTS5 tokenizers split text differently (PostgreSQL keeps `25.134692` whole
and reads `10-31` as `10` then `-31`; FTS5 splits both on the punctuation), and neither splits a query the
way the other splits a page. So neither engine tokenizes: this module turns a page's text into its terms,
stored as one line of words separated by spaces (DocumentPage.search_text), which PostgreSQL indexes with
the `simple` configuration and FTS5 with `unicode61`, and both then only split on the spaces. Queries are
made of terms from the same function, so a page and a query always agree on what the terms are.

A term is a run of letters and digits, case-folded, without accents, with its digits in ASCII:
- punctuation separates terms: `2015-APHIS-00523-F` is `2015 aphi 00523 f`, `25.134692` is `25 134692`, and
  a query for either is the phrase of those terms;
- an apostrophe inside a word keeps it whole: `O'Brien` is `obrien`, `Sheriff's` is `sheriff`;
- thousands separators join: `1,250,000` is `1250000`, so `$1,250,000` and `1250000` find each other;
- numbers lose their leading zeros: `03/04/2019` and `3/4/2019` are both `3 4 2019`;
- words of letters only are stemmed (Snowball English: `cameras` is `camera`), terms with digits are not,
  so identifiers stay exact; there are no stop words, so every word can be searched.
"""

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

# A word with apostrophes inside it, or a number with thousands separators (not part of a longer digit list).
TOKEN = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?!,?\d)|[^\W_]+(?:['’][^\W_]+)*")
PIECE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# PostgreSQL skips a word longer than 2,047 bytes; longer runs (encoded data, OCR noise) are no words anyway.
MAX_TERM_LENGTH = 100

_stemmer = Stemmer.Stemmer("english")


def page_terms(text: str) -> str:
    """The text as the engines index it: its terms, in order, separated by single spaces."""
    return " ".join(term for term, _start, _end in term_spans(text))


def terms(text: str) -> tuple[str, ...]:
    """The terms of a word or phrase, in order."""
    return tuple(term for term, _start, _end in term_spans(text))


def term_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for each term of `text` in order, where text[start:end] is what it came from.

    Offsets are in the NFC form of `text` (see `displayed`), which looks the same and differs only where the
    text had accents as separate marks."""
    for match in TOKEN.finditer(displayed(text)):
        for term in _terms_of_token(match.group()):
            yield term, match.start(), match.end()


def displayed(text: str) -> str:
    """The text with accents composed (NFC): what term_spans' offsets refer to."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


@lru_cache(maxsize=100_000)
def _terms_of_token(token: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", token).casefold())
    plain = "".join(_plain_char(char) for char in folded)
    plain = plain.replace("’", "'")
    if token[0].isdigit() and "," in token:
        plain = plain.replace(",", "")
    found = []
    for piece in PIECE.findall(plain):
        letters = piece.replace("'", "")
        if letters.isalpha():
            term = _stemmer.stemWord(piece).replace("'", "")
        elif letters.isdigit():
            term = letters.lstrip("0") or "0"
        else:
            term = letters
        if term and len(term) <= MAX_TERM_LENGTH:
            found.append(term)
    return tuple(found)


def _plain_char(char: str) -> str:
    # Accents (after NFKD) and other marks go; digits of every script become ASCII digits, which PostgreSQL's
    # parser takes for digits whatever the database's locale.
    if unicodedata.category(char).startswith("M"):
        return ""
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    return char
