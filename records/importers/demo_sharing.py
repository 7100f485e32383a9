"""The demo's data-sharing network: the licence-plate-reader links of four North Carolina agencies' Flock
transparency portals, as The News & Observer compiled them ("Private Eyes", MIT licence), matched to the FBI
list's agencies those portals name. Waxhaw's page then shows whom it shares its data with, state by state."""

import datetime
from pathlib import Path

from records.importers.fbi_agencies import import_agencies
from records.importers.sharing import import_sharing
from records.models import SharingLink, Visibility
from records.services.sharing import sharing_links_changed

DATA = Path(__file__).resolve().parents[1] / "data"
EDGES = DATA / "flock-sharing-edges-sample.csv"
# The FBI list's rows (unchanged) for the agencies the edge list names: records/data/README.md.
DIRECTORY = DATA / "fbi-agencies-2018-flock-sample.csv"
SOURCE_URL = "https://github.com/mcclatchy-southeast/private_eyes"
CREDIT = "The News & Observer, “Private Eyes” (MIT licence)"
# The data set's file is data/agency_access20240426.csv: the portals as read on April 26, 2024.
READ_ON = datetime.date(2024, 4, 26)


def load_sharing_demo() -> int:
    """Import the sample (again: it changes nothing the second time) and publish it. Returns its links."""
    import_agencies(DIRECTORY)
    import_sharing([EDGES], source_url=SOURCE_URL, seen_on=READ_ON, credit=CREDIT)
    links = SharingLink.objects.filter(source_key=SOURCE_URL)
    # The demo's own published data: made public as the demo's other records are created public.
    hidden = list(links.exclude(visibility=Visibility.PUBLIC))
    if hidden:
        links.filter(pk__in=[link.pk for link in hidden]).update(visibility=Visibility.PUBLIC)
        sharing_links_changed(links=hidden)
    return links.count()
