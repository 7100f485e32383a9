"""The jurisdictions and agencies already in the tracker, read once into dictionaries so that thousands
of rows are matched without a query each, and new ones written in bulk at the end."""

from collections import defaultdict

from records.importers.bulk import create_all
from records.importers.names import SlugAllocator, normalise_agency_name
from records.models import Agency, AgencyAlias, Jurisdiction, Level
from records.rules.states import STATE_NAMES

PlaceKey = tuple[str, str, str]
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
        self.new.append(jurisdiction)
        return jurisdiction

    def save(self, reason: str) -> int:
        """Write the new jurisdictions, states first so that their counties and cities can point at them."""
        states = [j for j in self.new if j.level == Level.STATE]
        create_all(states, Jurisdiction, reason)
        create_all([j for j in self.new if j.level != Level.STATE], Jurisdiction, reason)
        created, self.new = len(self.new), []
        return created


class Agencies:
    """Agencies by ORI and by normalised name within a state (their aliases included), and the names taken
    in each jurisdiction (agency_unique_name_in_jurisdiction)."""

    def __init__(self, places: Places):
        agencies = list(Agency.objects.only("name", "slug", "ori", "latitude", "longitude", "jurisdiction_id"))
        for agency in agencies:
            agency.jurisdiction = places.by_id[agency.jurisdiction_id]
        self.by_ori = {a.ori: a for a in agencies if a.ori}
        self.by_name: dict[tuple[str, str], list[Agency]] = defaultdict(list)
        self.taken: set[tuple[PlaceKey, str]] = set()
        for agency in agencies:
            self._index(agency, agency.name)
        by_id = {a.pk: a for a in agencies}
        for agency_id, alias in AgencyAlias.objects.values_list("agency_id", "name"):
            self._index_name(by_id[agency_id], alias)
        self.slugs = SlugAllocator(Agency)
        self.new: list[Agency] = []

    def _index_name(self, agency: Agency, name: str):
        matches = self.by_name[(agency.jurisdiction.state, normalise_agency_name(name))]
        if agency not in matches:
            matches.append(agency)

    def _index(self, agency: Agency, name: str):
        self._index_name(agency, name)
        j = agency.jurisdiction
        self.taken.add((place_key(j.level, j.state, j.name), name.casefold()))

    def named(self, state: str, name: str) -> list[Agency]:
        return self.by_name.get((state, normalise_agency_name(name)), [])

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
