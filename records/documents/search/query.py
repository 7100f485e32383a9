"""What a person typed, translated into a query both engines accept.

The syntax is the web's: plain words (all must occur), "a phrase", OR between two terms, -word or
-"phrase" to exclude. The raw text never reaches FTS5 or `to_tsquery`: it is parsed here into words
and phrases, each made of the same terms as the pages (records/rules/search_terms.py), then written
out again in each engine's own syntax with every term quoted, so stray quotes, operators, control
characters or odd Unicode give a smaller query and a note, never a syntax error. A word with
punctuation in it (`2015-APHIS-00523-F`, `25.134692`) is the phrase of its terms.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from records.rules.search_terms import terms

MAX_LENGTH = 200
MAX_TERMS = 24
# The words of a name look-up: letters and digits, as typed.
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')
# Unicode categories turned into spaces: controls (NUL included, which PostgreSQL refuses), format
# characters (bidi overrides, zero-width joiners), surrogates, private-use and unassigned characters.
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class Term:
    """A word or a phrase: `words`, its search terms, for the full-text engines; `text` as typed and
    `name_words`, its letters and digits unstemmed, for name look-ups."""

    words: tuple[str, ...]
    text: str
    name_words: tuple[str, ...] = ()

    def fts5(self) -> str:
        # Terms are letters and digits only, so the quotes need no escaping.
        return '"' + " ".join(self.words) + '"'

    def tsquery(self) -> str:
        # Quoted, so that a term such as "or" is never read as an operator; a phrase's terms follow each other.
        return " <-> ".join(f"'{word}'" for word in self.words)


@dataclass(frozen=True)
class SearchQuery:
    """All `groups` must match (each group is one term or several joined by OR); no `excluded` term may."""

    text: str = ""
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.groups)

    def tsquery(self) -> str:
        """The query for PostgreSQL's to_tsquery('simple', ...)."""
        parts = ["(" + " | ".join(term.tsquery() for term in group) + ")" for group in self.groups]
        parts += ["!(" + term.tsquery() + ")" for term in self.excluded]
        return " & ".join(parts)

    def fts5(self) -> str:
        """The query for an FTS5 MATCH."""
        positive = " AND ".join("(" + " OR ".join(term.fts5() for term in group) + ")" for group in self.groups)
        if not self.excluded:
            return positive
        return f"({positive}) NOT (" + " OR ".join(term.fts5() for term in self.excluded) + ")"


def clean_text(raw: str) -> str:
    """NFKC-normalised text with control, format and private-use characters turned into spaces."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(" " if unicodedata.category(char) in DROPPED_CATEGORIES else char for char in text)
    return " ".join(text.split())


def parse_query(raw: str | None) -> SearchQuery:
    # Cut before cleaning too, so a huge query string costs no more than a long one.
    text = clean_text((raw or "")[: MAX_LENGTH * 5])
    notes = []
    if len(text) > MAX_LENGTH:
        text = text[:MAX_LENGTH].rstrip()
        notes.append(f"The search was cut to its first {MAX_LENGTH} characters.")
    if text.count('"') % 2:
        notes.append("A quotation mark was not closed; the phrase runs to the end of the search.")

    items: list[Term | str] = []  # terms, "-" before an excluded term's place, and "OR"
    excluded: list[Term] = []
    ignored_operator = False
    for match in TOKEN.finditer(text):
        minus, phrase, _closing, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                items.append("OR")
                continue
            minus, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = terms(phrase)
        if not words:
            ignored_operator = ignored_operator or bool(minus) or phrase.strip() == ""
            continue
        name_words = tuple(word.lower() for word in WORD.findall(phrase))
        term = Term(words=words, text=" ".join(phrase.split()), name_words=name_words)
        if minus:
            excluded.append(term)
            items.append("-")
        else:
            items.append(term)

    groups: list[list[Term]] = []
    previous: Term | str | None = None
    for index, item in enumerate(items):
        if isinstance(item, Term):
            if previous == "OR" and groups and index >= 2 and isinstance(items[index - 2], Term):
                groups[-1].append(item)
            else:
                groups.append([item])
        elif item == "OR":
            following = items[index + 1] if index + 1 < len(items) else None
            if not (isinstance(previous, Term) and isinstance(following, Term)):
                ignored_operator = True
        previous = item

    term_count = sum(len(group) for group in groups) + len(excluded)
    if term_count > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} words and phrases were used.")
        groups, excluded = _first_terms(groups, excluded, MAX_TERMS)
    if ignored_operator:
        notes.append("An OR, a minus sign or a quotation mark without a word to go with it was ignored.")
    if excluded and not groups:
        notes.append("A search needs at least one word to look for, not only words to leave out.")
        excluded = []
    return SearchQuery(
        text=text,
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        notes=tuple(notes),
    )


def _first_terms(groups, excluded, limit):
    kept_groups, left = [], limit
    for group in groups:
        if left <= 0:
            break
        kept_groups.append(group[:left])
        left -= len(kept_groups[-1])
    return kept_groups, excluded[: max(left, 0)]
