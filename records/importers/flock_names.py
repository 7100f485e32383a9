"""Agency names as Flock Safety writes them on its transparency portals and sharing reports: "Sylvania OH PD",
"Hoke County NC SO", "Huntersville PD NC", "Zachary PD (LA)", "Brunswick County SO - NC", "NC - Rowan County SO -
Insight Omnia", "Polk County FL SO (LR)", "Albany GA PD - Wing LVI (Redspeed)": a place, a state code somewhere, a
kind (PD, SO, DA...), and often the name of one of the agency's camera networks after it. Pure functions: the
matcher (importers/sharing.py) turns them into directory names."""

import re
from dataclasses import dataclass

from records.importers.names import collapse
from records.rules.states import STATE_NAMES

# Flock's kinds, and the words the FBI list writes for them.
KINDS = {
    "PD": "police",
    "SO": "sheriff",
    "DA": "prosecutor",
    "DAS": "prosecutor",
    "DA'S": "prosecutor",
    "SP": "state_police",
    "HP": "state_police",
    "DPS": "public_safety",
    "MARSHAL": "marshal",
    "CONSTABLE": "constable",
}
DIRECTORY_SUFFIX = {
    "police": "Police Department",
    "sheriff": "Sheriff's Office",
    "prosecutor": "District Attorney's Office",
    "public_safety": "Department of Public Safety",
}
# Words that name one of an agency's networks or cameras, not the agency: "Polk County FL SO (LR)", "Perry GA
# PD (Flex)", "Albany GA PD Condor", "Crisp County GA SO Wing".
NETWORK_WORDS = {
    "lr", "flex", "condor", "condors", "falcon", "raven", "wing", "winglpr", "lvi", "tech", "redspeed", "axon",
    "demo", "sparrow", "test", "lpr", "alpr", "ptz", "nova", "insight", "omnia", "(lr)", "(flex)",
}  # fmt: skip
_PARENS = re.compile(r"\(([^()]*)\)")
_DASHES = re.compile(r"\s+[-–—]\s+|\s+[-–—]$|^[-–—]\s+")
_PREFIX_STATE = re.compile(r"^([A-Z]{2})\s*-\s*(?=\S)")
_ROLE_HINT = re.compile(
    r"\b(PD|SO|DA|DA's|Police|Sheriff|Sheriff's|Division|Department|Office|Patrol|Marshal|Authority|University|"
    r"College|Bureau|Agency|Service|Services|Board|Task Force|Center|Centre)\b",
    re.IGNORECASE,
)
_FEDERAL = re.compile(
    r"^(FBI|DEA|ATF|HSI|ICE|CBP|USMS|USSS|IRS|NCIS|AFOSI)\b|\b(federal|U\.?S\.? |United States|Homeland Security|"
    r"Postal Inspection|Marshals? Service|Border Patrol|Customs|Immigration|Secret Service|Air Force|Army|Navy|"
    r"Department of Justice|Drug Enforcement|Bureau of Alcohol)",
    re.IGNORECASE,
)
_FUSION = re.compile(
    r"\b(fusion|intelligence center|information center|analysis center|RTCC|real[- ]time crime|ROCIC|HIDTA)\b",
    re.IGNORECASE,
)
_UNIVERSITY = re.compile(r"\b(university|college|campus|school|academy)\b", re.IGNORECASE)
_HOSPITAL = re.compile(r"\b(hospital|health|healthcare|medical|wakemed)\b", re.IGNORECASE)
_HOA = re.compile(r"\b(HOA|homeowners?'?|property owners|neighbou?rhood association|POA)\b", re.IGNORECASE)
_COMPANY = re.compile(
    r"\b(inc|llc|ltd|corp|corporation|company|co\.|mall|store|stores|properties|apartments|lowe's|home depot|"
    r"walmart|kroger|security)\b",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"\b(ABC Board|city of|town of|county of|village of|authority|board)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FlockName:
    text: str  # as written, tidied
    base: str  # without the network's name: "Polk County FL SO (LR)" -> "Polk County FL SO"
    place: str  # "Polk County"
    state: str  # "FL", or "" when the name gives none
    kind: str  # a KINDS value, or ""
    network: str  # what was set aside as the network's name: "LR"
    tag: str = ""  # a bracketed label before the name: "[Federal] US Postal Inspection Service"

    def directory_names(self) -> list[str]:
        """The names the FBI list may give the agency, most likely first: "Hoke County Sheriff's Office",
        "Waxhaw Police Department"; a university's police is the university ("Elon University")."""
        names = []
        place = self.place
        if self.kind in DIRECTORY_SUFFIX and place:
            if _UNIVERSITY.search(place) and self.kind == "police":
                names.append(place)
            names.append(f"{place} {DIRECTORY_SUFFIX[self.kind]}")
            if self.kind == "sheriff" and not re.search(r"\b(county|parish|city)\b", place, re.IGNORECASE):
                names.append(f"{place} County Sheriff's Office")
            if self.kind == "prosecutor":
                names.append(f"{place} District Attorney")
        elif self.kind == "state_police" and self.state:
            names += [f"{STATE_NAMES.get(self.state, self.state)} State Police", f"{place} State Police"]
        if place:
            names.append(place)
            # The FBI's spellings of a few common forms: "University of North Carolina: Pembroke" for "... at
            # Pembroke", "WakeMed Campus Police" for "WakeMed Campus PD and Public Safety", "Santee Cooper" for
            # "Santee Cooper Law Enforcement Division".
            names.append(re.sub(r"\s+at\s+", ": ", place, count=1, flags=re.IGNORECASE))
            short = re.split(r"\s+and\s+", place, maxsplit=1, flags=re.IGNORECASE)[0]
            names.append(re.sub(r"\bPD\b", "Police", short))
            names.append(re.sub(r"\s+(law enforcement division|police department|department of public safety)$", "",
                                place, flags=re.IGNORECASE))  # fmt: skip
        return list(dict.fromkeys(n for n in names if n))

    def organisation_kind(self) -> str:
        """What an organisation of this name most likely is (OrganisationKind values)."""
        text = self.base
        if self.tag.lower() == "federal" or _FEDERAL.search(text):
            return "federal"
        if _FUSION.search(text):
            return "fusion_center"
        if _HOA.search(text):
            return "hoa"
        if _HOSPITAL.search(text):
            return "hospital"
        if re.match(r"(town|city|village|county|borough) of\b", text, re.IGNORECASE):
            return "local"
        if _UNIVERSITY.search(text):
            return "university"
        if self.kind:
            return "law_enforcement"
        if _COMPANY.search(text):
            return "private_company"
        if _LOCAL.search(text):
            return "local"
        return "other"


def _state_token(token: str) -> str:
    return token if token in STATE_NAMES else ""


def parse_flock_name(raw: str) -> FlockName:
    text = collapse(raw).strip(" ,;")
    tag = ""
    if match := re.match(r"^\[([^\]]{1,40})\]\s*", text):
        tag, text = match[1].strip(), text[match.end() :]
    state = ""
    network_parts: list[str] = []

    # "(NC)" is a state; "(LR)", "(Flex)", "(BCSO)" name a network or repeat the name.
    def parens(match):
        nonlocal state
        inner = collapse(match[1])
        if _state_token(inner) and not state:
            state = inner
        elif inner:
            network_parts.append(inner)
        return " "

    base = collapse(_PARENS.sub(parens, text))
    if (match := _PREFIX_STATE.match(base)) and _state_token(match[1]):
        state = state or match[1]
        base = base[match.end() :]
    # " - " separates the agency from a state code or a network's name: keep the part that names an agency.
    parts = [collapse(p) for p in _DASHES.split(base) if collapse(p)]
    if len(parts) > 1:
        kept = []
        for part in parts:
            if _state_token(part):
                state = state or part
            else:
                kept.append(part)
        main = next((p for p in kept if _ROLE_HINT.search(p) or _has_state_code(p)), kept[0] if kept else "")
        network_parts += [p for p in kept if p is not main]
        base = main
    tokens = base.split()
    # The state: the last token that is a USPS code in capitals ("Summerset SD PD": SD, then the kind PD).
    state_at = next((i for i in range(len(tokens) - 1, -1, -1) if _state_token(tokens[i])), None)
    kind = ""
    if state_at is not None and (state_at > 0 or len(tokens) == 1):
        state = state or tokens[state_at]
        before, after = tokens[:state_at], tokens[state_at + 1 :]
        if state_at == 0:
            before, after = after, []
    else:
        before, after = tokens, []
    while not after and len(before) > 1 and before[-1].lower() in NETWORK_WORDS:
        network_parts.append(before.pop())
    if after and after[0].upper() in KINDS:
        kind = KINDS[after[0].upper()]
        trailing = after[1:]
    else:
        trailing = after
    if not kind and before and before[-1].upper() in KINDS and len(before) > 1:
        kind = KINDS[before.pop().upper()]
    elif not kind and len(before) > 2 and " ".join(before[-2:]).upper() in {"DA'S OFFICE", "DAS OFFICE"}:
        kind, before = "prosecutor", before[:-2]
    # Words after the kind name a network ("Albany GA PD Condor") unless they say more of the agency.
    if trailing and all(t.lower() in NETWORK_WORDS for t in trailing):
        network_parts.append(" ".join(trailing))
        trailing = []
    place = " ".join(before + trailing).strip(" ,")
    if not state and (named := _state_named(place)):
        state = named
    if not kind and re.search(r"\b(state police|highway patrol|state patrol)\b", place, re.IGNORECASE):
        kind = "state_police"
    # One spelling of the agency whatever network or word order the source used: "Polk County FL SO".
    if kind and kind != "state_police":
        base_name = " ".join(t for t in [place, state, _kind_code(kind)] if t)
    else:
        base_name = collapse(" ".join(t for t in base.split() if t.lower() not in NETWORK_WORDS))
    return FlockName(
        text=text,
        base=base_name or text,
        place=place,
        state=state,
        kind=kind,
        network=" ".join(network_parts),
        tag=tag,
    )


def _has_state_code(text: str) -> bool:
    return any(_state_token(t) for t in text.split())


def _state_named(text: str) -> str:
    """A state named in full inside the text ("SLED - South Carolina Law Enforcement Division" -> SC)."""
    lowered = f" {text.lower()} "
    found = [code for code, name in STATE_NAMES.items() if f" {name.lower()} " in lowered]
    # "West Virginia" also holds "Virginia": the longest name wins.
    return max(found, key=lambda code: len(STATE_NAMES[code]), default="")


def _kind_code(kind: str) -> str:
    return next((code for code, value in KINDS.items() if value == kind), "")
