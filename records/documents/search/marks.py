"""Where a query's words and phrases occur in a page's text: the whole page marked, or a snippet of it.

Both engines index the terms of records/rules/search_terms.py, and the marks are found here with the same
tokenizer, so a page is marked exactly where it matched, whichever engine found it; the engines' own headline
functions would read the text with their own tokenizers and miss `2015-APHIS-00523-F`.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from records.documents.search.query import SearchQuery
from records.rules.search_terms import displayed, term_spans

SNIPPET_WORDS = 24
WORDS_BEFORE = 6  # words of context before a fragment's first match
FRAGMENTS = 2
ELLIPSIS = "…"
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    html: SafeString  # escaped text, the matches in <mark>
    text: str  # the same words, plain


def marked_page(query: SearchQuery, text: str) -> SafeString:
    """The whole text, escaped, with the query's matches in <mark> (line breaks kept)."""
    text = displayed(text)
    tokens, matches = _matches(query, text)
    return _html(text, 0, len(text), _spans(tokens, matches), collapse=False)


def snippet(query: SearchQuery, text: str) -> Snippet:
    """Up to FRAGMENTS stretches of SNIPPET_WORDS words around the first matches, preferring different words."""
    text = displayed(text)
    tokens, matches = _matches(query, text)
    if not tokens:
        return Snippet(mark_safe(""), "")
    fragments: list[tuple[int, int]] = []  # token ranges, first and last included
    for index in _fragment_starts(matches):
        if fragments and index <= fragments[-1][1]:
            continue
        first = max(index - WORDS_BEFORE, fragments[-1][1] + 1 if fragments else 0)
        fragments.append((first, min(first + SNIPPET_WORDS - 1, len(tokens) - 1)))
        if len(fragments) == FRAGMENTS:
            break
    fragments.sort()
    if len(fragments) == 2 and fragments[1][0] == fragments[0][1] + 1:
        fragments = [(fragments[0][0], fragments[1][1])]  # one stretch: no "…" inside it
    spans = _spans(tokens, matches)
    html_parts, text_parts = [], []
    for first, last in fragments:
        start, end = tokens[first][1], tokens[last][2]
        html_parts.append(_html(text, start, end, spans, collapse=True))
        text_parts.append(SPACE.sub(" ", text[start:end]))
    lead = f"{ELLIPSIS} " if fragments[0][0] > 0 else ""
    tail = f" {ELLIPSIS}" if fragments[-1][1] < len(tokens) - 1 else ""
    delimiter = f" {ELLIPSIS} "
    # Safe: each part was escaped by _html; only the <mark> pairs are markup.
    html = mark_safe(lead + delimiter.join(html_parts) + tail)  # noqa: S308
    return Snippet(html, lead + delimiter.join(text_parts) + tail)


def _fragment_starts(matches) -> list[int]:
    """Token indexes to start fragments at: each different word or phrase's first match first, then the rest."""
    firsts, seen = [], set()
    for first, _last, words in matches:
        if words not in seen:
            seen.add(words)
            firsts.append(first)
    return firsts + [first for first, _last, _words in matches if first not in firsts] or [0]


def _spans(tokens, matches) -> list[tuple[int, int]]:
    return [(tokens[first][1], tokens[last][2]) for first, last, _words in matches]


def _matches(query: SearchQuery, text: str):
    """The text's tokens (term, start, end), and (first token, last token, words) of each match of a wanted word
    or phrase, in order."""
    tokens = list(term_spans(text))
    wanted: dict[str, list[tuple[str, ...]]] = {}
    for group in query.groups:
        for term in group:
            wanted.setdefault(term.words[0], []).append(term.words)
    terms = [term for term, _start, _end in tokens]
    matches = []
    for index, term in enumerate(terms):
        for words in wanted.get(term, ()):
            if tuple(terms[index : index + len(words)]) == words:
                matches.append((index, index + len(words) - 1, words))
    return tokens, matches


def _html(text: str, start: int, end: int, spans: list[tuple[int, int]], *, collapse: bool) -> SafeString:
    """text[start:end] escaped, with the parts inside `spans` (overlapping or not) in <mark>."""

    def plain(part: str) -> str:
        return escape(SPACE.sub(" ", part) if collapse else part)

    merged: list[list[int]] = []
    for span_start, span_end in sorted(spans):
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        if merged and span_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span_end)
        else:
            merged.append([span_start, span_end])
    parts, position = [], start
    for span_start, span_end in merged:
        parts.append(plain(text[position:span_start]))
        parts.append(f"<mark>{plain(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(plain(text[position:end]))
    # Safe: every piece of the text is escaped; the only markup added is the <mark> pairs.
    return mark_safe("".join(parts))  # noqa: S308
