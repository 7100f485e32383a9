"""Which vendors and products a document's text names, and on which pages.

A name of several words matches as whole words in any case ("Flock Safety" in "FLOCK SAFETY's cameras", not
"Axon" in "Axonics"). A name of one word is often a common word too, so it matches only as a name is written:
"Ring" where the text capitalises it ("Ring", "RING", not "orc ring"), and a name with capitals inside
("ProVision", "ShotSpotter", "NEC") only in exactly that case (not "provision"). An alias marked "match
case" matches only as written, whatever its length. Names are compared as sequences of words, so one pass
over a page's words finds every vendor, alias and product at once, however many there are.
"""

import re
from collections import defaultdict

from records.models import Product, Vendor, VendorAlias

WORD = re.compile(r"[^\W_]+")
# Names longer than this many words are compared by their first words only (none are, in practice).
MAX_NAME_WORDS = 8
ANY_CASE, CAPITALISED, EXACT_CASE = "any", "capitalised", "exact"


def name_words(name: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in WORD.findall(name))[:MAX_NAME_WORDS]


def case_rule(name: str, *, match_case: bool = False) -> tuple[str, tuple[str, ...]]:
    """How a name must be written in a text to count: (rule, the name's words as written)."""
    words = tuple(WORD.findall(name))[:MAX_NAME_WORDS]
    if match_case or (len(words) == 1 and any(c.isupper() for c in words[0][1:])):
        return EXACT_CASE, words
    if len(words) == 1:
        return CAPITALISED, words
    return ANY_CASE, words


def name_index() -> dict[tuple[str, ...], set[tuple[str, int, str, tuple[str, ...]]]]:
    """{name as words: {(kind, id, case rule, words as written)}}, kind "vendor" or "product", for every vendor,
    alias and product: three queries."""
    index: dict[tuple[str, ...], set] = defaultdict(set)
    for vendor_id, name in Vendor.objects.values_list("id", "name"):
        index[name_words(name)].add(("vendor", vendor_id, *case_rule(name)))
    for vendor_id, name, match_case in VendorAlias.objects.values_list("vendor_id", "name", "match_case"):
        index[name_words(name)].add(("vendor", vendor_id, *case_rule(name, match_case=match_case)))
    for product_id, name in Product.objects.values_list("id", "name"):
        index[name_words(name)].add(("product", product_id, *case_rule(name)))
    index.pop((), None)
    return index


def _written_so(rule: str, expected: tuple[str, ...], written: list[str]) -> bool:
    if rule == EXACT_CASE:
        return tuple(written) == expected
    if rule == CAPITALISED:
        return all(word[:1].isupper() for word in written)
    return True


def find_mentions(pages: list[str], index: dict) -> dict[tuple[str, int], list[int]]:
    """{("vendor" or "product", id): [page numbers]} for every name of `index` found in `pages` (page 1 first)."""
    # Only positions whose word starts some name are looked at, with the lengths of the names it starts.
    lengths_by_first_word: dict[str, set[int]] = defaultdict(set)
    for words in index:
        lengths_by_first_word[words[0]].add(len(words))
    found: dict[tuple[str, int], set[int]] = defaultdict(set)
    for number, text in enumerate(pages, start=1):
        written = WORD.findall(text)
        words = [word.casefold() for word in written]
        for start, word in enumerate(words):
            lengths = lengths_by_first_word.get(word)
            if lengths is None:
                continue
            for length in lengths:
                for kind, pk, rule, expected in index.get(tuple(words[start : start + length]), ()):
                    if _written_so(rule, expected, written[start : start + length]):
                        found[(kind, pk)].add(number)
    return {target: sorted(numbers) for target, numbers in found.items()}
