"""Names as the importers compare and write them: agencies, vendors, states and places spelled many ways."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import slugify

from records.rules.states import STATE_NAMES

# Words that are spelled several ways in the source lists; each maps to one spelling before comparing.
_WORD_FORMS = {
    "dept": "department",
    "co": "county",
    "depts": "departments",
    "sheriffs": "sheriff",
    "twp": "township",
    "hwy": "highway",
    # Saint/St., Mount/Mt., Fort/Ft.: "South St. Paul" and "South Saint Paul" are one city.
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "ft": "fort",
    "univ": "university",
    "metro": "metropolitan",
}
# Old or non-standard codes found in the FBI list: NB was Nebraska's code before 1969, GM is Guam.
_STATE_CODE_FIXES = {"NB": "NE", "GM": "GU"}
_STATE_BY_NAME = {name.casefold(): code for code, name in STATE_NAMES.items()}

_APOSTROPHES = re.compile(r"['`\u2019]")
# Marks that show nothing but make two spellings differ: soft hyphens, zero-width spaces and joiners, word
# joiners, byte-order marks. (Non-breaking and other spaces are spaces: str.split() sees them.)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_NO_VENDOR = {"", "unknown", "n/a", "na", "none", "-", "?", "tbd", "not known"}
_CORPORATE_SUFFIXES = {
    "inc", "llc", "ltd", "corp", "co", "corporation", "lp", "llp", "plc", "l.l.c", "incorporated", "company",
    "limited", "pllc", "gmbh",
}  # fmt: skip
# Short words written in capitals in a readable name ("Clearview AI, Inc.", "Magnet Forensics USA Inc").
_CAPITALISED = {
    "ai", "usa", "us", "uk", "llc", "llp", "lp", "plc", "pllc", "gmbh", "ibm", "ip", "gis", "lpr",
    "alpr", "dba", "ii", "iii", "iv", "dna", "gps", "rf", "tv", "3d", "cctv", "usg", "bae", "nec", "dji", "fbi",
    "dhs", "doj",
}  # fmt: skip
# Words left in lower case inside a readable name ("Department of Homeland Security").
_SMALL_WORDS = {"of", "and", "the", "for", "on", "in", "at", "to", "a", "an", "or", "by"}

_COUNTY_WORD_BY_STATE = {"LA": "Parish", "AK": "Borough"}
_COUNTY_WORDS = ("county", "parish", "borough", "census area", "municipality")
_AGENCY_WORDS = re.compile(
    r"\b(police|sheriff|sheriff's|office|department|marshal|patrol|authority|commission|agency|bureau|division|"
    r"university|college|school|district|attorney|court|corrections|services|unit)\b",
    re.IGNORECASE,
)
_POLICE_SUFFIX = re.compile(
    r"^(?P<place>.+?)\s+(?:police department|police dept\.?|department of police|police division|division of police"
    r"|department of public safety|public safety department|police)\b(?P<rest>.*)$",
    re.IGNORECASE,
)


def collapse(text: str | None) -> str:
    """Trimmed, with runs of whitespace (including non-breaking spaces and newlines) as one space, and
    invisible marks (soft hyphens, zero-width spaces) removed."""
    return " ".join(_INVISIBLE.sub("", text or "").split())


def _ascii(name: str) -> str:
    """The name without accents or invisible marks: 'Cheek\u00adtowaga' -> 'Cheektowaga', 'Peña' -> 'Pena'."""
    name = _INVISIBLE.sub("", name)
    return name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def normalise_agency_name(name: str) -> str:
    """The key two spellings of one agency share: case, accents, punctuation, "&"/"and", "Dept"/"Department",
    "Sheriff's Office"/"Sheriffs Office"/"Sheriff's Department", "St."/"Saint", "Mt."/"Mount", "Ft."/"Fort",
    invisible marks, a leading "The" and spacing do not matter."""
    text = _ascii(name)
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and "))
    words = [_WORD_FORMS.get(word, word) for word in _NOT_ALPHANUMERIC.sub(" ", text).split()]
    if words[:1] == ["the"]:
        words = words[1:]
    # "Sheriff's Department" and "Sheriff's Office" name the same office (the FBI list uses the latter).
    return " ".join(words).replace("sheriff department", "sheriff office")


def vendor_key(name: str) -> str:
    """Vendors and their aliases are matched case-insensitively."""
    return collapse(name).casefold()


def vendor_match_key(name: str) -> str:
    """The key two spellings of one company share: case, accents, punctuation, "&"/"and", a leading "The" and
    trailing legal forms do not matter. "MAGNET FORENSICS, LLC", "Magnet Forensics Inc" -> "magnet forensics"."""
    text = _ascii(name)
    # Dots go first so that "L.L.C." and "Inc." read as the words "llc" and "inc".
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and ").replace(".", ""))
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


def readable_case(text: str) -> str:
    """A name written in capitals, in the case people write it: 'CLEARVIEW AI, INC.' -> 'Clearview AI, Inc.',
    'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT' -> 'U.S. Immigration and Customs Enforcement'. Mixed-case
    text is kept as written; short words of a known list stay in capitals, and so do dotted initials."""
    text = collapse(text)
    if text != text.upper():
        return text

    def word(index: int, token: str) -> str:
        bare = re.sub(r"[^a-z0-9]", "", token.lower())
        if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?\.?,?", token) or bare in _CAPITALISED:
            return token
        if bare in _SMALL_WORDS and index > 0:
            return token.lower()
        lowered = token.lower()
        # "O'NEIL" -> "O'Neil", "MCLEAN" -> "McLean", "SMITH-JONES" -> "Smith-Jones".
        cased = re.sub(r"(^|[-/(])([a-z])", lambda m: m.group(1) + m.group(2).upper(), lowered)
        return re.sub(r"\b(Mc|O')([a-z])", lambda m: m.group(1) + m.group(2).upper(), cased)

    return " ".join(word(index, token) for index, token in enumerate(text.split(" ")))


def split_vendors(cell: str) -> list[str]:
    """The vendors a cell names: comma- or semicolon-separated, none when empty or "Unknown".

    A corporate suffix after a comma ("Motorola Solutions, Inc.") stays with the name before it.
    """
    vendors: list[str] = []
    for part in re.split(r"[,;\n]", cell or ""):
        name = collapse(part)
        if vendors and name.lower().rstrip(".") in _CORPORATE_SUFFIXES:
            vendors[-1] = f"{vendors[-1]}, {name}"
        elif name.lower() not in _NO_VENDOR:
            vendors.append(name)
    unique: dict[str, str] = {}
    for name in vendors:
        unique.setdefault(vendor_key(name), name)
    return list(unique.values())


def state_code(code: str, name: str = "") -> str | None:
    """A USPS code we know, from a code (fixing old ones) or else a state name; None when neither works."""
    code = collapse(code).upper()
    code = _STATE_CODE_FIXES.get(code, code)
    if code in STATE_NAMES:
        return code
    return _STATE_BY_NAME.get(collapse(name).casefold())


def place_case(text: str) -> str:
    """'PRINCE GEORGE'S' -> "Prince George's", 'MCLEAN' -> 'McLean'; mixed-case text is kept as written."""
    text = collapse(text)
    if text != text.upper():
        return text
    words = re.split(r"([\s-])", text.lower())
    text = "".join(word[:1].upper() + word[1:] for word in words)
    return re.sub(r"\b(Mc|O')([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def county_name(county: str, state: str) -> str:
    """'ERIE' -> 'Erie County'; 'ORLEANS' in Louisiana -> 'Orleans Parish'; a name with its own
    suffix ('Kenai Peninsula Borough') is kept. Several counties ('DeKalb County, Fulton County') -> the first."""
    first = re.split(r"[,;]", county)[0]
    name = place_case(first)
    if not name or name.lower().endswith(_COUNTY_WORDS):
        return name
    return f"{name} {_COUNTY_WORD_BY_STATE.get(state, 'County')}"


def city_from_agency_name(name: str) -> str | None:
    """The place a municipal police agency is named after: 'Rochester Police Department' -> 'Rochester'.

    A county qualifier stays, since several townships share a name ('Perry Township Police Department,
    Columbiana County' -> 'Perry Township, Columbiana County'). A bare place name ('Josephine') is the
    place itself. None when the name does not say ("Baltimore City Sheriff's Office").
    """
    match = _POLICE_SUFFIX.match(collapse(name))
    if not match:
        return None if _AGENCY_WORDS.search(name) else collapse(name) or None
    place = re.sub(r"^city of\s+", "", match["place"], flags=re.IGNORECASE)
    place = re.sub(r"\s+(metropolitan|metro)$", "", place, flags=re.IGNORECASE).strip(" ,")
    rest = match["rest"].strip()
    if not place or (rest and not rest.startswith(",")):
        return None
    rest = rest.strip(" ,")
    return f"{place}, {rest}" if rest else place


class SlugAllocator:
    """records.models.slugs.unique_slug's rule for thousands of rows: the taken slugs are read once, then kept
    in memory, instead of one query per candidate."""

    def __init__(self, model, max_length: int = 200):
        self.taken = set(model.objects.values_list("slug", flat=True))
        self.max_length = max_length

    def allocate(self, *parts: str) -> str:
        slug = slugify(parts[0])[: self.max_length] or "item"
        if slug in self.taken and len(parts) > 1:
            slug = slugify(" ".join(p for p in parts if p))[: self.max_length]
        if slug in self.taken:
            stem, number = slug, 2
            while f"{stem}-{number}" in self.taken:
                number += 1
            slug = f"{stem}-{number}"
        self.taken.add(slug)
        return slug


# Words that name the kind of place and that one list writes and another leaves out, just before the
# agency's role ("Cheektowaga Town Police Department", "San Francisco County Sheriff's Office",
# "Indianapolis Metropolitan Police Department") or as "X of" in front ("Borough of Wharton Police Department").
_PLACE_TYPES = {"city", "town", "township", "village", "borough", "county", "parish", "metropolitan"}
# Words that start an agency's role: what comes before them is the place it serves.
_ROLE_WORDS = {
    "police", "sheriff", "department", "office", "division", "bureau", "marshal", "marshals", "constable",
    "constables", "public", "patrol", "district", "attorney", "prosecutor", "prosecutors", "corrections",
    "correctional", "agency", "authority", "commission", "unit", "services", "fusion", "intelligence",
    "narcotics", "detective", "detectives", "court", "courts", "state",
}  # fmt: skip
_ROLES = {
    "police department": "police", "police": "police", "department of police": "police",
    "police division": "police", "division of police": "police", "sheriff office": "sheriff", "sheriff": "sheriff",
    "department of public safety": "public safety", "public safety department": "public safety",
    "public safety": "public safety",
}  # fmt: skip
# A university's or a tribe's police is named after it, with or without "Police Department"
# ("University of North Alabama Police Department" is the FBI's "University of North Alabama").
INSTITUTION_WORDS = {"university", "college", "tribal", "tribe", "nation"}
_COUNTY_QUALIFIER = re.compile(r",\s*([^,]+?\s+(?:county|parish|borough))\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class LooseName:
    """An agency's name with what lists write or leave out set aside, to find one agency spelled two ways.

    `key`: the place and the role, without spaces ("New York City Police Department" and "New York Police
    Department" -> "newyork:police"); `spelling`: the place and the role words as written, without spaces,
    for typos ("tucsonpoilcedepartment"); `types`: the place-type words set aside ({"city"}); `qualifier`:
    the place after a colon or a final ", X County" ("University of Maryland: College Park" -> "collegepark").
    """

    key: str
    spelling: str
    place: str
    place_words: str
    role: str
    types: frozenset[str]
    digits: tuple[str, ...]
    qualifier: str

    def compatible(self, other: "LooseName") -> bool:
        """Whether the two can be one agency: same numbers ("Precinct 5"), no two different place types
        (a township and a borough of one name are two places), and a county police is not a city police."""
        if self.digits != other.digits:
            return False
        if self.types and other.types and self.types != other.types:
            return False
        county_in_one = "county" in (self.types ^ other.types)
        return not (county_in_one and "police" in (self.role, other.role))


def typo_allowance(key: str) -> int:
    """How many letters a misspelling of a name this long may get wrong (swapped letters count once)."""
    return 0 if len(key) < 6 else 1 if len(key) < 20 else 2


def place_key(text: str) -> str:
    """A place as two lists write it: 'Cheektowaga Town', 'City of New York', 'San Francisco County', 'De Kalb
    County', 'St. Cloud' -> 'cheektowaga', 'newyork', 'sanfrancisco', 'dekalb', 'saintcloud'."""
    words = normalise_agency_name(collapse(text).split(",")[0]).split()
    if len(words) > 2 and words[1] == "of" and words[0] in _PLACE_TYPES:
        words = words[2:]
    kept = [w for w in words if w not in _PLACE_TYPES] or words
    return "".join(kept)


def loose_agency_name(name: str) -> LooseName:
    name = collapse(name)
    qualifier = ""
    head, colon, tail = name.partition(":")
    if colon and tail.strip():
        name, qualifier = head, place_key(tail)
    elif match := _COUNTY_QUALIFIER.search(name):
        name, qualifier = name[: match.start()], place_key(match[1])
    words = normalise_agency_name(name).split()
    types = set()
    if len(words) > 2 and words[1] == "of" and words[0] in _PLACE_TYPES:
        types.add(words[0])
        words = words[2:]
    if any(word in INSTITUTION_WORDS for word in words):
        # "Texas State University": only a police role at the end is a role; the rest names the institution.
        start = next((i for i in range(1, len(words)) if " ".join(words[i:]) in _ROLES), len(words))
    else:
        start = next((i for i in range(1, len(words)) if words[i] in _ROLE_WORDS), len(words))
    place, role_words = words[:start], words[start:]
    while len(place) > 1 and place[-1] in _PLACE_TYPES:
        types.add(place.pop())
    role = " ".join(role_words)
    role = _ROLES.get(role, role)
    if role == "police" and any(word in INSTITUTION_WORDS for word in place):
        role = ""
    types.discard("metropolitan")
    # Louisiana's parishes are its counties (the FBI writes "Bossier County Sheriff's Office").
    types = frozenset("county" if t == "parish" else t for t in types)
    compact_place = "".join(place)
    return LooseName(
        key=f"{compact_place}:{role.replace(' ', '')}",
        spelling=compact_place + "".join(role_words),
        place=compact_place,
        place_words=" ".join(place),
        role=role,
        types=types,
        digits=tuple(_DIGITS.findall(" ".join(words))) + tuple(_DIGITS.findall(qualifier)),
        qualifier=qualifier,
    )


# Words after a company's name that describe its trade rather than name it ("Flock Safety", "Draganfly
# Innovations", "Motorola Solutions"): a list that writes "Flock" means the same company.
_VENDOR_DESCRIPTORS = {
    "safety", "solutions", "solution", "systems", "system", "technologies", "technology", "tech", "innovations",
    "group", "enterprise", "enterprises", "international", "industries", "holdings", "global", "worldwide",
    "usa", "america", "americas", "north",
}  # fmt: skip


def vendor_loose_key(name: str) -> str:
    """A company's name without its legal form, trailing trade words or spaces: 'Flock Safety', 'FLOCK',
    'Harris Corp.', 'Harris Corporation', 'Shot Spotter' -> 'flock', 'flock', 'harris', 'harris', 'shotspotter'."""
    words = vendor_match_key(name).split()
    while len(words) > 1 and words[-1] in _VENDOR_DESCRIPTORS:
        words.pop()
    return "".join(words)


class VendorIndex:
    """Vendors by name: the same name in any case, else the same name once legal forms and trade words are
    set aside, when that names one vendor only (two vendors "ABC Security" and "ABC Systems" stay apart)."""

    def __init__(self):
        self.exact: dict = {}
        # By identity: a vendor not saved yet has no primary key to hash.
        self.loose: dict[str, dict[int, object]] = defaultdict(dict)

    def add(self, name: str, vendor):
        self.exact.setdefault(vendor_key(name), vendor)
        if key := vendor_loose_key(name):
            self.loose[key][id(vendor)] = vendor

    def find(self, name: str):
        """(the vendor, whether it was found only under another spelling); (None, False) when none or several."""
        if vendor := self.exact.get(vendor_key(name)):
            return vendor, False
        found = list(self.loose.get(vendor_loose_key(name), {}).values())
        return (found[0], True) if len(found) == 1 else (None, False)
