"""Which vendors and products a document's text names, and on which pages.

A name matches as whole words in any case ("Flock Safety" in "FLOCK SAFETY's cameras", not "Axon" in
"Axonics"). Names are compared as sequences of words, so one pass over a page's words finds every
vendor, alias and product at once, however many there are.
"""

import re
from collections import defaultdict

from records.models import Product, Vendor, VendorAlias

WORD = re.compile(r"[^\W_]+")
# Names longer than this many words are compared by their first words only (none are, in practice).
MAX_NAME_WORDS = 8


def name_words(name: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in WORD.findall(name))[:MAX_NAME_WORDS]


def name_index() -> dict[tuple[str, ...], set[tuple[str, int]]]:
    """{name as words: {("vendor", id) or ("product", id)}} for every vendor, alias and product: three queries."""
    index: dict[tuple[str, ...], set[tuple[str, int]]] = defaultdict(set)
    for vendor_id, name in Vendor.objects.values_list("id", "name"):
        index[name_words(name)].add(("vendor", vendor_id))
    for vendor_id, name in VendorAlias.objects.values_list("vendor_id", "name"):
        index[name_words(name)].add(("vendor", vendor_id))
    for product_id, name in Product.objects.values_list("id", "name"):
        index[name_words(name)].add(("product", product_id))
    index.pop((), None)
    return index


def find_mentions(pages: list[str], index: dict) -> dict[tuple[str, int], list[int]]:
    """{("vendor" or "product", id): [page numbers]} for every name of `index` found in `pages` (page 1 first)."""
    # Only positions whose word starts some name are looked at, with the lengths of the names it starts.
    lengths_by_first_word: dict[str, set[int]] = defaultdict(set)
    for words in index:
        lengths_by_first_word[words[0]].add(len(words))
    found: dict[tuple[str, int], set[int]] = defaultdict(set)
    for number, text in enumerate(pages, start=1):
        words = WORD.findall(text.casefold())
        for start, word in enumerate(words):
            lengths = lengths_by_first_word.get(word)
            if lengths is None:
                continue
            for length in lengths:
                for target in index.get(tuple(words[start : start + length]), ()):
                    found[target].add(number)
    return {target: sorted(numbers) for target, numbers in found.items()}
