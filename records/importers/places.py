"""The jurisdictions and agencies already in the tracker, read once into dictionaries so that thousands
of rows are matched without a query each, and new ones written in bulk at the end."""

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from records.importers.bulk import create_all
from records.importers.names import (
    LooseName,
    SlugAllocator,
    loose_agency_name,
    normalise_agency_name,
    typo_allowance,
)
from records.importers.names import place_key as loose_place_key
from records.models import Agency, AgencyAlias, Jurisdiction, Level
from records.rules.states import STATE_NAMES

PlaceKey = tuple[str, str, str]
LOOSE_REASON = "the same name once words such as County, Town, Metropolitan or Police Department are set aside"
TYPO_REASON = "a letter or two apart (a typo)"
NAME_LENGTH = Agency._meta.get_field("name").max_length


def place_key(level: str, state: str, name: str) -> PlaceKey:
    return level, state, name.casefold()


class Places:
    """Jurisdictions by level, state and name. States are the seeded ones; a territory missing from the
    seed (the FBI list has Puerto Rico, Guam, the Virgin Islands) is added as a state-level jurisdiction."""

    def __init__(self):
        self.by_id = {j.pk: j for j in Jurisdiction.objects.all()}
        self.known: dict[PlaceKey, Jurisdiction] = {place_key(j.level, j.state, j.name): j for j in self.by_id.values()}
        self.states = {j.state: j for j in self.known.values() if j.level == Level.STATE}
        self.federal = next((j for j in self.known.values() if j.level == Level.FEDERAL), None)
        self.slugs = SlugAllocator(Jurisdiction)
        self.new: list[Jurisdiction] = []
        self._place_keys: set[tuple[str, str]] | None = None

    def is_place(self, code: str, key: str) -> bool:
        """Whether a county or city of that state is called `key` (a names.place_key) in the tracker."""
        if self._place_keys is None:
            self._place_keys = {
                (j.state, loose_place_key(j.name)) for j in self.known.values() if j.level in (Level.COUNTY, Level.CITY)
            }
        return (code, key) in self._place_keys

    def state(self, code: str) -> Jurisdiction:
        if code not in self.states:
            self.states[code] = self._add(Level.STATE, code, STATE_NAMES[code], parent=None)
        return self.states[code]

    def local(self, level: str, code: str, name: str) -> Jurisdiction:
        """A county or city of a state, created under it when new."""
        name = name[: Jurisdiction._meta.get_field("name").max_length]
        existing = self.known.get(place_key(level, code, name))
        return existing or self._add(level, code, name, parent=self.state(code))

    def _add(self, level: str, code: str, name: str, parent: Jurisdiction | None) -> Jurisdiction:
        slug = self.slugs.allocate(name if level == Level.STATE else f"{name} {code}")
        jurisdiction = Jurisdiction(name=name, slug=slug, level=level, state=code, parent=parent)
        self.known[place_key(level, code, name)] = jurisdiction
        if self._place_keys is not None and level in (Level.COUNTY, Level.CITY):
            self._place_keys.add((code, loose_place_key(name)))
        self.new.append(jurisdiction)
        return jurisdiction

    def save(self, reason: str) -> int:
        """Write the new jurisdictions, states first so that their counties and cities can point at them."""
        states = [j for j in self.new if j.level == Level.STATE]
        create_all(states, Jurisdiction, reason)
        create_all([j for j in self.new if j.level != Level.STATE], Jurisdiction, reason)
        created, self.new = len(self.new), []
        return created


@dataclass(frozen=True)
class Where:
    """The place a row names for its agency: its city and its counties, as names.place_key writes them."""

    city: str = ""
    counties: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, city: str = "", county: str = "") -> "Where":
        counties = frozenset(loose_place_key(part) for part in re.split(r"[,;]", county or "") if part.strip())
        return cls(city=loose_place_key(city) if city else "", counties=counties - {""})

    def names(self, agency: Agency, loose: LooseName) -> bool:
        """Whether this is where `agency` is: its qualifier ("University of Maryland: College Park") or its
        city or county is the row's. An agency the tracker files under its state or the federal government
        (the FBI does so for those it gives no county) is not contradicted by a row's city."""
        if loose.qualifier:
            return loose.qualifier in self.counties | {self.city}
        jurisdiction = agency.jurisdiction
        if jurisdiction.level == Level.CITY:
            return bool(self.city) and loose_place_key(jurisdiction.name) == self.city
        if jurisdiction.level == Level.COUNTY:
            return loose_place_key(jurisdiction.name) in self.counties
        return True

    def misspells(self, agency: Agency, places: "Places") -> bool:
        """Whether the row's city or county is the agency's, misspelled: a letter or two apart, and no
        place of the state is called so (Macon County is not a typo for Mason County)."""
        jurisdiction = agency.jurisdiction
        if jurisdiction.level not in (Level.CITY, Level.COUNTY):
            return False
        theirs = loose_place_key(jurisdiction.name)
        ours = [self.city] if jurisdiction.level == Level.CITY else list(self.counties)
        return any(
            key and not places.is_place(jurisdiction.state, key) and OSA.distance(key, theirs) <= typo_allowance(theirs)
            for key in ours
        )


class Agencies:
    """Agencies by ORI and by normalised name within a state (their aliases included), and the names taken
    in each jurisdiction (agency_unique_name_in_jurisdiction)."""

    def __init__(self, places: Places):
        agencies = list(Agency.objects.only("name", "slug", "ori", "latitude", "longitude", "jurisdiction_id"))
        for agency in agencies:
            agency.jurisdiction = places.by_id[agency.jurisdiction_id]
        self.by_ori = {a.ori: a for a in agencies if a.ori}
        self.by_name: dict[tuple[str, str], list[Agency]] = defaultdict(list)
        # The loose names (names.loose_agency_name) of each state, and their spellings for rapidfuzz.
        self.by_loose: dict[tuple[str, str], list[tuple[Agency, LooseName]]] = defaultdict(list)
        self.spellings: dict[str, list[str]] = defaultdict(list)
        self.spelled: dict[str, list[tuple[Agency, LooseName]]] = defaultdict(list)
        self.places = places
        self.taken: set[tuple[PlaceKey, str]] = set()
        for agency in agencies:
            self._index(agency, agency.name)
        by_id = {a.pk: a for a in agencies}
        for agency_id, alias in AgencyAlias.objects.values_list("agency_id", "name"):
            self._index_name(by_id[agency_id], alias)
        self.slugs = SlugAllocator(Agency)
        self.new: list[Agency] = []

    def _index_name(self, agency: Agency, name: str):
        state = agency.jurisdiction.state
        matches = self.by_name[(state, normalise_agency_name(name))]
        if agency not in matches:
            matches.append(agency)
        loose = loose_agency_name(name)
        if loose.place:
            self.by_loose[(state, loose.key)].append((agency, loose))
            self.spellings[state].append(loose.spelling)
            self.spelled[state].append((agency, loose))

    def _index(self, agency: Agency, name: str):
        self._index_name(agency, name)
        j = agency.jurisdiction
        self.taken.add((place_key(j.level, j.state, j.name), name.casefold()))

    def named(self, state: str, name: str) -> list[Agency]:
        return self.by_name.get((state, normalise_agency_name(name)), [])

    def similar(self, state: str, name: str, where: Where) -> tuple[Agency | None, str]:
        """The one agency of `state` that `name` names in another spelling, and how, when `named` found
        none: the same name once the words lists write or leave out are set aside ("New York Police
        Department" for the "New York City Police Department", "San Francisco Sheriff's Office" for the "San
        Francisco County Sheriff's Office"), or a typo ("Tuscon Police Department"), in the city or county
        the row names. (None, "") when there is none or more than one: find_duplicates lists what is left."""
        loose = loose_agency_name(name)
        if not loose.place:
            return None, ""
        fits = {
            agency.pk or id(agency): agency
            for agency, theirs in self.by_loose.get((state, loose.key), [])
            if loose.compatible(theirs) and where.names(agency, theirs)
        }
        if len(fits) == 1:
            return next(iter(fits.values())), LOOSE_REASON
        if fits:
            return None, ""
        limit = typo_allowance(loose.spelling)
        if not limit:
            return None, ""
        hits = process.extract(
            loose.spelling, self.spellings.get(state, []), scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        near = {}
        for _, _, index in hits:
            agency, theirs = self.spelled[state][index]
            near.setdefault(agency.pk or id(agency), (agency, theirs))
        if len(near) != 1:
            return None, ""
        agency, theirs = next(iter(near.values()))
        # "Macon County Sheriff's Office" is not a typo for "Mason County Sheriff's Office": Macon is a place.
        if loose.place != theirs.place and self.places.is_place(state, loose.place):
            return None, ""
        if loose.compatible(theirs) and (where.names(agency, theirs) or where.misspells(agency, self.places)):
            return agency, TYPO_REASON
        return None, ""

    def free_name(self, name: str, jurisdiction: Jurisdiction, qualifiers: list[str | None]) -> str:
        """`name` if no agency of `jurisdiction` has it, else the name with the first qualifier (a county,
        an ORI) that makes it unique, else with a number."""
        key = place_key(jurisdiction.level, jurisdiction.state, jurisdiction.name)

        def qualified(qualifier) -> str:
            suffix = f" ({qualifier})"
            return name[: NAME_LENGTH - len(suffix)] + suffix

        candidates = [name, *(qualified(q) for q in qualifiers if q)]
        free = next((c for c in candidates if (key, c.casefold()) not in self.taken), None)
        number = 2
        while free is None:
            free = qualified(number) if (key, qualified(number).casefold()) not in self.taken else None
            number += 1
        return free

    def add(self, *, name: str, jurisdiction: Jurisdiction, kind: str, ori: str | None = None, **fields) -> Agency:
        agency = Agency(
            name=name,
            slug=self.slugs.allocate(name, jurisdiction.state),
            jurisdiction=jurisdiction,
            kind=kind,
            ori=ori,
            **fields,
        )
        self._index(agency, name)
        if ori:
            self.by_ori[ori] = agency
        self.new.append(agency)
        return agency

    def save(self, reason: str) -> int:
        create_all(self.new, Agency, reason)
        created, self.new = len(self.new), []
        return created


def agency_named(state: str, name: str) -> Agency | None:
    """The agency of `state` (or the federal government, for "") called `name` in any of the spellings
    normalise_agency_name treats as one, its aliases included; the oldest if several. For one name at a
    time (a FOIA log's agency): it reads only that state's agencies."""
    key = normalise_agency_name(name)
    agencies = Agency.objects.filter(jurisdiction__state=state).order_by("pk")
    for agency in agencies.only("pk", "name"):
        if normalise_agency_name(agency.name) == key:
            return Agency.objects.get(pk=agency.pk)
    aliases = AgencyAlias.objects.filter(agency__jurisdiction__state=state).order_by("agency_id")
    for agency_id, alias in aliases.values_list("agency_id", "name"):
        if normalise_agency_name(alias) == key:
            return Agency.objects.get(pk=agency_id)
    return None
