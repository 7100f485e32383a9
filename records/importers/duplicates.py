"""Possible duplicates the importers could not settle: two agencies of one state, or two vendors, whose names
are alike enough for an editor to look, with a score and the reason.

The importers merge only what is certain (names.py, places.py); what is left is listed here rather than
merged. Comparing every agency with every other (18,702 FBI agencies) would be 175 million pairs, so
pairs are blocked: by state, and by the ORI, since two agencies that both have an FBI ORI are two agencies
by the FBI's own word. So each agency without an ORI (typed in, or from the Atlas) is compared with the
agencies of its state, through rapidfuzz over their names without spaces. Vendors are few; each is compared
with every other, except two with different UEIs.

The candidates are stored (DuplicatePair) by `save_candidates`, which the import commands and
`find_duplicates --save` run, because the duplicates page may not compare every agency on each request. A
pair an editor marked "not the same" is kept and never suggested again.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from records.importers.flock_names import parse_flock_name
from records.importers.names import (
    INSTITUTION_WORDS,
    LooseName,
    loose_agency_name,
    place_key,
    typo_allowance,
    vendor_loose_key,
)
from records.links import detail_url
from records.models import Agency, DuplicatePair, Organisation, Vendor

SIMILAR_SPELLING = 88
# Places this alike (rapidfuzz's ratio, 0-100) are compared further: "tuscon" and "tucson" score 83.
PLACE_CUTOFF = 75
# Roles that are one kind of agency however a list words them: a city's police and its public safety
# department ("Folly Beach Department of Public Safety" is the FBI's "Folly Beach Police Department").
_POLICE_ROLES = {"police", "public safety", ""}


@dataclass(frozen=True)
class Record:
    pk: int
    name: str
    url: str


@dataclass(frozen=True)
class AgencyRow:
    pk: int
    name: str
    slug: str
    ori: str | None
    place: str
    loose: LooseName

    def record(self) -> Record:
        return Record(self.pk, self.name, detail_url("agency-detail", self.slug))


@dataclass(frozen=True)
class Candidate:
    kind: str
    state: str
    first: Record
    second: Record
    score: int
    reason: str


def _roles_agree(one: str, other: str) -> bool:
    """A sheriff is not a police department, nor a district attorney a court; "Police Department Services"
    may be the police department."""
    if one == other or (one in _POLICE_ROLES and other in _POLICE_ROLES):
        return True
    return bool(one and other) and (one.startswith(other) or other.startswith(one))


def _near(loose: LooseName, theirs: LooseName) -> tuple[int, str] | None:
    """(score, why) when two loose names may be one agency's, else None."""
    if loose.key == theirs.key:
        return 95, "the same name once words such as County, Town or Police Department are set aside"
    place_score = fuzz.ratio(loose.place, theirs.place)
    typo = OSA.distance(loose.place, theirs.place) <= typo_allowance(loose.place)
    if (place_score >= SIMILAR_SPELLING or typo) and fuzz.ratio(loose.spelling, theirs.spelling) >= SIMILAR_SPELLING:
        return round(fuzz.ratio(loose.spelling, theirs.spelling)), "names spelled alike"
    if loose.place_words == theirs.place_words:
        return 85, "the same place, and a like name"
    shorter, longer = sorted((loose.place_words, theirs.place_words), key=len)
    if longer.startswith(shorter + " ") and INSTITUTION_WORDS & set(longer[len(shorter) :].split()):
        # "Isleta Police Department" and "Isleta Tribal", "Texas Tech Police Department" and "Texas Tech University".
        return 80, "the same place, and a like name"
    return None


def _same_place(agency: AgencyRow, other: AgencyRow) -> bool:
    """A unit of an agency named with its place ("SLED Vice: Sumter County") is only a twin of an agency there."""
    for one, two in ((agency, other), (other, agency)):
        if one.loose.qualifier and one.loose.qualifier not in {two.place, two.loose.qualifier}:
            return False
    return True


def _agency_candidates(decided: set[tuple[int, int]]) -> list[Candidate]:
    rows = Agency.objects.values_list("pk", "name", "slug", "ori", "jurisdiction__state", "jurisdiction__name")
    by_state: dict[str, list[AgencyRow]] = defaultdict(list)
    for pk, name, slug, ori, state, place in rows.order_by("pk").iterator(chunk_size=5000):
        by_state[state].append(AgencyRow(pk, name, slug, ori, place_key(place), loose_agency_name(name)))
    found: dict[tuple[int, int], Candidate] = {}
    for state, agencies in by_state.items():
        places = [agency.loose.place for agency in agencies]
        by_words = sorted((agency.loose.place_words, index) for index, agency in enumerate(agencies))
        for agency in agencies:
            if agency.ori or not agency.loose.place:
                continue
            # Cheap first: places alike by rapidfuzz's ratio, or names that start with this one's place.
            nearby = {index for _, _, index in process.extract(
                agency.loose.place, places, scorer=fuzz.ratio, score_cutoff=PLACE_CUTOFF, limit=None
            )}  # fmt: skip
            start = bisect.bisect_left(by_words, (agency.loose.place_words, -1))
            for words, index in by_words[start:]:
                if not words.startswith(agency.loose.place_words):
                    break
                nearby.add(index)
            for index in nearby:
                other = agencies[index]
                pair = (min(agency.pk, other.pk), max(agency.pk, other.pk))
                if other.pk == agency.pk or other.ori and agency.ori or pair in decided or pair in found:
                    continue
                if not agency.loose.compatible(other.loose) or not _roles_agree(agency.loose.role, other.loose.role):
                    continue
                if not _same_place(agency, other) or (near := _near(agency.loose, other.loose)) is None:
                    continue
                first, second = sorted((agency, other), key=lambda row: row.pk)
                found[pair] = Candidate(
                    DuplicatePair.Kind.AGENCY, state, first.record(), second.record(), near[0], near[1]
                )
    return list(found.values())


def _vendor_candidates(decided: set[tuple[int, int]]) -> list[Candidate]:
    vendors = list(Vendor.objects.values_list("pk", "name", "slug", "uei").order_by("pk"))
    keys = [vendor_loose_key(name) for _, name, _, _ in vendors]
    found = []
    for index, (pk, name, slug, uei) in enumerate(vendors):
        if not keys[index]:
            continue
        # Each pair once: only the vendors after this one.
        hits = process.extract(
            keys[index], keys[index + 1 :], scorer=fuzz.ratio, score_cutoff=SIMILAR_SPELLING, limit=None
        )
        for _, score, offset in hits:
            other_pk, other_name, other_slug, other_uei = vendors[index + 1 + offset]
            if (uei and other_uei and uei != other_uei) or (pk, other_pk) in decided:
                continue
            same = keys[index] == keys[index + 1 + offset]
            reason = "the same name once legal forms and words such as Safety or Solutions are set aside"
            if not same:
                reason = "names spelled alike"
            found.append(
                Candidate(
                    DuplicatePair.Kind.VENDOR,
                    "",
                    Record(pk, name, detail_url("vendor-detail", slug)),
                    Record(other_pk, other_name, detail_url("vendor-detail", other_slug)),
                    95 if same else round(score),
                    reason,
                )
            )
    return found


# An organisation a sharing list named and a directory agency of its state whose names are at least this alike
# (rapidfuzz's token-sort ratio of the normalised names, 0-100): "App State University" and "Appalachian State
# University" score 84.
ORGANISATION_CUTOFF = 80


def _organisation_candidates(decided: set[tuple[int, int]]) -> list[Candidate]:
    """Each organisation of a state with the directory agency of that state it most likely is: the places alike
    (rapidfuzz's ratio over the loose names' places, "App State University" and "Appalachian State University"
    score 84) and the roles agreeing (a sheriff is not a police department)."""
    organisations = list(Organisation.objects.exclude(state="").values_list("pk", "name", "state").order_by("pk"))
    if not organisations:
        return []
    states = {state for _, _, state in organisations}
    by_state: dict[str, list[tuple[int, str, str, LooseName]]] = defaultdict(list)
    rows = Agency.objects.filter(jurisdiction__state__in=states).values_list(
        "pk", "name", "slug", "jurisdiction__state"
    )
    for pk, name, slug, state in rows.order_by("pk").iterator(chunk_size=5000):
        by_state[state].append((pk, name, slug, loose_agency_name(name)))
    places = {state: [row[3].place_words for row in agencies] for state, agencies in by_state.items()}
    found = []
    for pk, name, state in organisations:
        names = parse_flock_name(name).directory_names()[:2] or [name]
        best = None
        for loose in (loose_agency_name(n) for n in names):
            if not loose.place_words:
                continue
            hits = process.extract(
                loose.place_words, places.get(state, []), scorer=fuzz.ratio, score_cutoff=ORGANISATION_CUTOFF, limit=5
            )
            for _, score, index in hits:
                if _roles_agree(loose.role, by_state[state][index][3].role) and (best is None or score > best[0]):
                    best = (score, index)
        if best is None:
            continue
        agency_pk, agency_name, slug, _loose = by_state[state][best[1]]
        if (pk, agency_pk) in decided:
            continue
        found.append(
            Candidate(
                DuplicatePair.Kind.ORGANISATION,
                state,
                Record(pk, name, ""),
                Record(agency_pk, agency_name, detail_url("agency-detail", slug)),
                round(best[0]),
                "a sharing list's name not matched to the directory, spelled like this agency of its state",
            )
        )
    return found


def find_candidates() -> list[Candidate]:
    """Every pair of possible duplicates no editor has decided on yet, best first."""
    decided = DuplicatePair.objects.filter(status=DuplicatePair.Status.DIFFERENT)
    agencies = set(decided.filter(kind="agency").values_list("agency_a_id", "agency_b_id"))
    vendors = set(decided.filter(kind="vendor").values_list("vendor_a_id", "vendor_b_id"))
    organisations = set(decided.filter(kind="organisation").values_list("organisation_id", "agency_b_id"))
    candidates = _agency_candidates(agencies) + _vendor_candidates(vendors) + _organisation_candidates(organisations)
    return sorted(candidates, key=lambda c: (-c.score, c.kind, c.state, c.first.name.casefold(), c.second.pk))


@transaction.atomic
def save_candidates() -> int:
    """Replace the stored suggestions with the pairs found now; editors' "not the same" stay. Returns how many."""
    candidates = find_candidates()
    DuplicatePair.objects.filter(status=DuplicatePair.Status.SUGGESTED).delete()
    pairs = []
    for candidate in candidates:
        if candidate.kind == DuplicatePair.Kind.ORGANISATION:
            sides = {"organisation_id": candidate.first.pk, "agency_b_id": candidate.second.pk}
        else:
            prefix = "agency_" if candidate.kind == DuplicatePair.Kind.AGENCY else "vendor_"
            sides = {f"{prefix}a_id": candidate.first.pk, f"{prefix}b_id": candidate.second.pk}
        pairs.append(
            DuplicatePair(
                kind=candidate.kind, state=candidate.state, score=candidate.score, reason=candidate.reason, **sides
            )
        )
    DuplicatePair.objects.bulk_create(pairs, batch_size=1000)
    return len(pairs)
