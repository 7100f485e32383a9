"""The procurement importer: USAspending's two layouts and our own, every row accounted for, idempotent without a
write, federal buyers under their departments, vendors matched through their legal forms, clear refusals."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.importers.names import readable_case
from records.importers.procurements import award_kind, parent_idv
from records.models import (
    Agency,
    AgencyAlias,
    EventSource,
    Jurisdiction,
    Procurement,
    TimelineEvent,
    Vendor,
    VendorAlias,
)
from tests import accounts, factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "data" / "usaspending-awards-sample.csv"
TEMPLATE = ROOT / "static" / "procurements-template.csv"
# The sample's columns as the bulk prime award download names them.
BULK_NAMES = {
    "Award ID": "award_id_piid",
    "Recipient Name": "recipient_name",
    "Award Amount": "total_obligated_amount",
    "Start Date": "period_of_performance_start_date",
    "End Date": "period_of_performance_current_end_date",
    "Awarding Agency": "awarding_agency_name",
    "Awarding Sub Agency": "awarding_sub_agency_name",
    "Description": "prime_award_base_transaction_description",
    "Contract Award Type": "award_type",
}


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_procurements", *[str(a) for a in args], stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def write(path: Path, rows: list[dict], fieldnames=None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fieldnames or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def as_bulk(rows: list[dict]) -> list[dict]:
    """The sample in the bulk download's layout: its names, the award page as permalink, columns it ignores."""
    converted = []
    for row in rows:
        bulk = {BULK_NAMES[name]: value for name, value in row.items() if name in BULK_NAMES}
        bulk["total_obligated_amount"] = f"{Decimal(row['Award Amount']):.2f}"
        bulk["usaspending_permalink"] = f"https://www.usaspending.gov/award/{row['generated_internal_id']}/"
        bulk |= {"recipient_uei": "", "naics_code": "", "product_or_service_code": "", "award_type_code": ""}
        bulk |= {"contract_transaction_unique_key": "ignored", "cage_code": "ignored"}
        converted.append(bulk)
    return converted


def written() -> dict:
    """Everything an import writes, history included."""
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Procurement, Vendor, Agency, TimelineEvent)
    } | {"aliases": VendorAlias.objects.count(), "sources": EventSource.objects.count()}


def test_every_row_of_the_sample_is_accounted_for():
    out, err = run(SAMPLE)
    keys = {f"usaspending:{row['generated_internal_id']}" for row in sample_rows()}
    assert len(keys) == 24
    assert set(Procurement.objects.values_list("external_id", flat=True)) == keys
    assert "25 rows read" in out and "24 created, 0 updated, 0 unchanged, 1 reported" in out
    # The repeated award is imported once, and both its lines are named.
    assert "usaspending-awards-sample.csv line 26: not imported: " in err and "repeats line 5: imported once" in err

    axon = Procurement.objects.get(external_id="usaspending:CONT_AWD_70CMSW24FR0000066_7012_70CMSW23D00000003_7012")
    assert (axon.kind, axon.amount, axon.currency) == ("purchase_order", Decimal("3762500.00"), "USD")
    assert (axon.start_on, axon.end_on) == (datetime.date(2024, 8, 22), datetime.date(2025, 8, 21))
    assert axon.reference_number == "70CMSW24FR0000066"
    assert axon.source_url == "https://www.usaspending.gov/award/CONT_AWD_70CMSW24FR0000066_7012_70CMSW23D00000003_7012"
    assert axon.vendor.name == "Axon Enterprise, Inc."
    assert axon.visibility == "private" and axon.added_by is None
    # Its IDV is not in the tracker: no parent is made up, its number and page are noted.
    assert axon.parent_contract is None
    assert "70CMSW23D00000003: https://www.usaspending.gov/award/CONT_IDV_70CMSW23D00000003_7012" in axon.description
    # The procurement's timeline entry follows it, private too, citing the award page.
    event = axon.timeline_events.get()
    assert (event.visibility, event.date, event.sources.get().url) == ("private", axon.start_on, axon.source_url)

    tagged = Procurement.objects.get(reference_number="HSHQDC17CB0011")
    assert tagged.kind == "contract" and tagged.title.startswith("THE PURPOSE OF THIS REQUISITION")
    assert tagged.description.startswith("IGF::OT::IGF THE PURPOSE")
    assert Procurement.objects.get(reference_number="70CMSD19FC0000052").kind == "purchase_order"  # BPA call
    assert Procurement.objects.get(reference_number="DJF133650P0000771").kind == "purchase_order"  # "PO"
    assert set(Procurement.objects.values_list("status", flat=True)) <= {"active", "completed"}
    assert Vendor.objects.get(name="Clearview AI, Inc.")


def test_importing_again_writes_nothing_and_a_changed_award_updates_its_procurement(tmp_path):
    run(SAMPLE)
    before = written()
    out, _ = run(SAMPLE)
    assert "0 created, 0 updated, 24 unchanged, 1 reported" in out
    assert written() == before

    rows = sample_rows()
    rows[0]["Award Amount"] = "4000000"
    published = Procurement.objects.get(reference_number=rows[0]["Award ID"])
    published.visibility = "public"
    published.save()
    out, _ = run(write(tmp_path / "changed.csv", rows))
    assert "0 created, 1 updated, 23 unchanged, 1 reported" in out
    published.refresh_from_db()
    # The award's amount is the file's; its visibility is the editor's.
    assert (published.amount, published.visibility) == (Decimal("4000000.00"), "public")
    assert Procurement.objects.count() == 24


def test_the_bulk_download_layout_imports_the_same_procurements_under_the_same_keys(tmp_path):
    bulk = write(tmp_path / "PrimeAwardSummaries.csv", as_bulk(sample_rows()))
    out, err = run(bulk)
    assert "24 created" in out and "repeats line 5" in err
    from_bulk = {p.external_id: (p.amount, p.kind, p.agency.name, p.vendor_id) for p in Procurement.objects.all()}
    TimelineEvent.objects.all().delete()
    Procurement.objects.all().delete()
    run(SAMPLE)
    from_search = {p.external_id: (p.amount, p.kind, p.agency.name, p.vendor_id) for p in Procurement.objects.all()}
    assert from_bulk == from_search

    out, _ = run(bulk)
    assert "0 created, 0 updated, 24 unchanged" in out


def test_the_bulk_layout_takes_codes_ueis_and_classification(tmp_path):
    known = factories.vendor("Motorola Solutions", uei="ABCDEFGH1234")
    row = as_bulk(sample_rows()[:1])[0] | {
        "recipient_name": "SOME RENAMED ENTITY LLC", "recipient_uei": "abcdefgh1234", "award_type": "",
        "award_type_code": "C", "naics_code": "334511", "product_or_service_code": "5865",
    }  # fmt: skip
    run(write(tmp_path / "bulk.csv", [row]))
    procurement = Procurement.objects.get()
    # The UEI names the vendor, whatever name the award gives it.
    assert procurement.vendor == known and procurement.kind == "purchase_order"
    assert VendorAlias.objects.get(name="SOME RENAMED ENTITY LLC").confirmed
    assert "NAICS 334511 · PSC 5865" in procurement.description


def test_name_spellings_are_one_vendor_and_subsidiaries_are_possible_aliases(tmp_path):
    factories.vendor("Motorola Solutions")
    rows = sample_rows()
    extra = rows[0] | {
        "Recipient Name": "Magnet Forensics Inc",
        "generated_internal_id": "CONT_AWD_X1_1549_-NONE-_-NONE-",
    }
    out, _ = run(write(tmp_path / "awards.csv", [*rows, extra]))

    # "MAGNET FORENSICS, LLC", "MAGNET FORENSICS INC", "Magnet Forensics Inc" and "MAGNET FORENSICS USA INC".
    magnet = Vendor.objects.get(name__istartswith="magnet")
    assert Procurement.objects.filter(vendor=magnet).count() == 7
    # A longer name that begins with a known vendor's is linked and waits for an editor.
    assert not VendorAlias.objects.get(name="MAGNET FORENSICS USA INC").confirmed
    connectivity = VendorAlias.objects.get(name="MOTOROLA SOLUTIONS CONNECTIVITY, INC.")
    assert connectivity.vendor.name == "Motorola Solutions" and not connectivity.confirmed
    # The same name once legal forms and case are set aside is the vendor itself, no alias needed.
    assert Procurement.objects.filter(vendor__name="Motorola Solutions").count() == 4
    assert "possible alias: 'MOTOROLA SOLUTIONS CONNECTIVITY, INC.' linked to the vendor 'Motorola Solutions' " in out
    assert "awards.csv lines 21, 22" in out
    # Within one file, a company is known before its subsidiaries whatever the order of the rows.
    assert VendorAlias.objects.get(name="BABEL STREET ROSETTE LTD.").vendor.name == "Babel Street, Inc."


def test_federal_buyers_sit_under_their_departments():
    federal = Jurisdiction.objects.get(level="federal")
    ice = factories.agency("Immigration and Customs Enforcement", jurisdiction=federal, kind="federal")
    AgencyAlias.objects.create(agency=ice, name="U.S. Immigration and Customs Enforcement")
    run(SAMPLE)
    ice.refresh_from_db()
    dhs = Agency.objects.get(name="Department of Homeland Security")
    doj = Agency.objects.get(name="Department of Justice")
    # Found through its alias, it gets its department.
    assert ice.parent == dhs and not Agency.objects.filter(name="U.S. Immigration and Customs Enforcement").exists()
    assert Procurement.objects.filter(agency=ice).count() == 5
    cbp = Agency.objects.get(name="U.S. Customs and Border Protection")
    assert (cbp.parent, cbp.kind, cbp.jurisdiction.level) == (dhs, "federal", "federal")
    assert Agency.objects.get(name="Drug Enforcement Administration").parent == doj
    # Department-level offices buy for the department.
    assert not Agency.objects.filter(name__in=["Offices, Boards and Divisions", "Office of Procurement Operations"])
    assert set(Procurement.objects.filter(agency=doj).values_list("reference_number", flat=True)) == {
        "DJJ16WUSA480026", "15JPSS22F00000269",
    }  # fmt: skip
    assert Procurement.objects.get(reference_number="HSHQDC17CB0011").agency == dhs
    assert dhs.parent is None and dhs.kind == "federal"


def test_an_order_is_linked_to_its_contract_when_the_tracker_has_it(tmp_path):
    order = sample_rows()[0]
    idv = order | {
        "Award ID": "70CMSW23D00000003", "Contract Award Type": "IDC", "Description": "BODY WORN CAMERAS IDIQ",
        "generated_internal_id": "CONT_IDV_70CMSW23D00000003_7012",
    }  # fmt: skip
    # The order comes first in the file: contracts are written before the orders under them.
    run(write(tmp_path / "awards.csv", [order, idv]))
    contract = Procurement.objects.get(reference_number="70CMSW23D00000003")
    assert contract.kind == "framework"
    placed = Procurement.objects.get(reference_number="70CMSW24FR0000066")
    assert placed.parent_contract == contract and "Placed under" not in placed.description


@pytest.mark.parametrize(
    ("award_type", "code", "kind"),
    [
        ("DELIVERY ORDER", "", "purchase_order"),
        ("BPA CALL", "", "purchase_order"),
        ("PURCHASE ORDER", "", "purchase_order"),
        ("", "B", "purchase_order"),
        ("DEFINITIVE CONTRACT", "", "contract"),
        ("", "D", "contract"),
        ("BPA", "", "framework"),
        ("GWAC", "", "framework"),
        ("FSS", "", "framework"),
        ("INDEFINITE DELIVERY / INDEFINITE QUANTITY", "", "framework"),
        ("", "IDV_B_A", "framework"),
        ("PROJECT GRANT (B)", "", "grant"),
        ("COOPERATIVE AGREEMENT (B)", "", "grant"),
        ("", "04", "grant"),
        ("DIRECT LOAN (E)", "", None),
    ],
)
def test_award_types_map_onto_procurement_kinds(award_type, code, kind):
    assert award_kind(award_type, code) == kind


def test_parent_ids_come_from_the_generated_id():
    assert parent_idv("CONT_AWD_15DDHQ23F00001000_1524_47QSWA18D0050_4732")[:2] == (
        "usaspending:CONT_IDV_47QSWA18D0050_4732", "47QSWA18D0050",
    )  # fmt: skip
    assert parent_idv("CONT_AWD_HSSS0116P0289_7009_-NONE-_-NONE-") == ("", "", "")


@pytest.mark.parametrize(
    ("raw", "readable"),
    [
        ("AXON ENTERPRISE, INC.", "Axon Enterprise, Inc."),
        ("CLEARVIEW AI, INC.", "Clearview AI, Inc."),
        ("MAGNET FORENSICS USA INC", "Magnet Forensics USA Inc"),
        ("U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT", "U.S. Immigration and Customs Enforcement"),
        ("Magnet Forensics Inc", "Magnet Forensics Inc"),
    ],
)
def test_names_in_capitals_are_written_readably(raw, readable):
    assert readable_case(raw) == readable


def test_visibility_and_who_added_them(tmp_path):
    editor, staff = accounts.user("editor"), accounts.user("staff")
    run(SAMPLE, "--user", staff.username)
    assert set(Procurement.objects.values_list("visibility", "added_by")) == {("private", staff.pk)}
    assert set(TimelineEvent.objects.values_list("visibility", flat=True)) == {"private"}
    assert Procurement.objects.filter(visibility="private").visible_to(None).count() == 0

    with pytest.raises(CommandError, match="staff-user is not an editor"):
        run(SAMPLE, "--user", staff.username, "--visibility", "public")
    with pytest.raises(CommandError, match="name the editor"):
        run(SAMPLE, "--visibility", "public")
    with pytest.raises(CommandError, match="has passed"):
        run(SAMPLE, "--user", editor.username, "--visibility", "embargoed", "--embargo-until", "2000-01-01")
    with pytest.raises(CommandError, match="No user named"):
        run(SAMPLE, "--user", "nobody")

    TimelineEvent.objects.all().delete()
    Procurement.objects.all().delete()
    run(SAMPLE, "--user", editor.username, "--visibility", "public")
    assert set(Procurement.objects.values_list("visibility", "added_by")) == {("public", editor.pk)}


def test_a_file_of_no_known_layout_is_refused_and_several_files_are_all_or_nothing(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("name,colour\nx,blue\n")
    with pytest.raises(CommandError, match="none of the layouts") as refused:
        run(SAMPLE, other)
    assert "Award ID" in str(refused.value) and "award_id_piid" in str(refused.value)
    assert "agency, vendor, title, reference" in str(refused.value) and "Columns found: name, colour" in str(
        refused.value
    )
    assert not Procurement.objects.exists() and not Vendor.objects.exists()

    copy = tmp_path / "copy.csv"
    copy.write_bytes(SAMPLE.read_bytes())
    out, err = run(SAMPLE, copy)
    assert "2 files, 50 rows read" in out and "24 created, 0 updated, 0 unchanged, 26 reported" in out
    assert "copy.csv line 2: not imported: " in err and f"repeats {SAMPLE} line 2" in err

    almost = write(
        tmp_path / "almost.csv", [{k: v for k, v in sample_rows()[0].items() if k != "generated_internal_id"}]
    )
    with pytest.raises(CommandError, match="lacks the column generated_internal_id"):
        run(almost)
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.csv")


def test_truncated_and_garbled_rows_are_reported_by_line(tmp_path):
    header = ",".join(sample_rows()[0])
    good = SAMPLE.read_text().splitlines()[1]
    accented = good.replace("OF THE IDIQ", "OF THE IDIQ (CAFÉ)")
    path = tmp_path / "garbled.csv"
    path.write_text(
        "\n".join([
            header,
            accented,
            "70CMSW24FR0000099,AXON ENTERPRISE,12",  # truncated
            good.replace("3762500", "-1200").replace("FR0000066", "FR0000067"),
            good.replace("3762500", "a lot").replace("FR0000066", "FR0000068").replace("2025-08-21", "2025-13-45"),
            good.replace("DELIVERY ORDER", "LEASE").replace("FR0000066", "FR0000069"),
            good.replace("CONT_AWD_70CMSW24FR0000066", "garbage!"),
            good.replace("2024-08-22", "2026-01-01").replace("FR0000066", "FR0000070"),
        ])
        + "\n",
        encoding="cp1252",
    )  # fmt: skip
    out, err = run(path)
    assert "7 rows read" in out and "5 created" in out and "2 reported" in out
    assert "garbled.csv line 1: the file is not UTF-8: read it as Windows-1252" in err
    assert Procurement.objects.get(reference_number="70CMSW24FR0000066").title.endswith("(CAFÉ)")
    assert "garbled.csv line 3: not imported: it has 3 cells where the header has 10: the row looks truncated" in err
    assert "line 4: the obligated amount -1200 is negative (money taken back): the amount is left empty" in err
    assert "line 5: the obligated amount 'a lot' is not a number" in err
    assert "line 5: end date '2025-13-45' is not a date: left empty" in err
    assert "line 6: unknown award type 'LEASE': recorded as 'Other'" in err
    assert "line 7: not imported: " in err
    assert "line 8: the end date 2025-08-21 is before the start date 2026-01-01: the end date is left empty" in err
    assert Procurement.objects.get(reference_number="70CMSW24FR0000067").amount is None
    assert Procurement.objects.get(reference_number="70CMSW24FR0000069").kind == "other"


def test_a_file_cut_inside_its_last_row_does_not_import_that_row(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8-sig")
    # Cut inside the second award's generated id: its cells are all there, its key is not.
    cut = text[: text.index("CONT_AWD_70B02C24F00000345") + 20]
    path = tmp_path / "cut.csv"
    path.write_text(cut, encoding="utf-8")
    out, err = run(path)
    assert "1 created" in out and "1 reported" in out
    assert "cut.csv line 3: not imported: the file ends inside this row (no final line break)" in err
    assert not Procurement.objects.filter(reference_number="70B02C24F00000345").exists()


def test_our_own_layout_needs_its_agencies_unless_told_to_create_them(tmp_path):
    out, err = run(TEMPLATE)
    assert "2 reported" in out and "no agency named 'Rochester Police Department' in NY" in err
    assert not Procurement.objects.exists()

    rochester = factories.agency("Rochester Police Dept.", "NY")
    out, _ = run(TEMPLATE)
    assert "2 created" in out
    cameras = Procurement.objects.get(external_id=f"csv:{rochester.slug}:2024-0117")
    assert (cameras.agency, cameras.kind, cameras.amount) == (rochester, "subscription", Decimal("94500.00"))
    assert (cameras.signed_on, cameras.method, cameras.funding_source) == (
        datetime.date(2024, 3, 12), "cooperative", "agency_budget",
    )  # fmt: skip
    bodycams = Procurement.objects.get(external_id=f"csv:{rochester.slug}:2023-0342")
    assert (bodycams.amount, bodycams.start_on, bodycams.funding_program) == (
        Decimal("1250000.00"), datetime.date(2023, 6, 15), "Byrne JAG",
    )  # fmt: skip
    before = written()
    out, _ = run(TEMPLATE)
    assert "0 created, 0 updated, 2 unchanged" in out and written() == before

    rows = [
        {"agency": rochester.slug, "vendor": "Flock Safety", "title": "By slug", "reference": "A-1"},
        {"agency": "Springfield Police Department", "state": "OR", "vendor": "Flock Safety", "title": "New",
         "reference": "B-1"},
        {"agency": rochester.slug, "vendor": "Flock Safety", "title": "No key", "reference": ""},
    ]  # fmt: skip
    out, err = run(
        write(tmp_path / "city.csv", rows, ["agency", "state", "vendor", "title", "reference"]), "--create-agencies"
    )
    assert "2 created, 0 updated, 0 unchanged, 1 reported" in out
    assert "city.csv line 4: not imported: no reference" in err
    springfield = Agency.objects.get(name="Springfield Police Department")
    assert springfield.jurisdiction.slug == "oregon" and Procurement.objects.filter(agency=springfield).count() == 1


def test_a_dry_run_saves_nothing():
    out, _ = run(SAMPLE, "--dry-run")
    assert "24 created" in out and "Dry run: nothing was saved." in out
    assert not Procurement.objects.exists() and not Vendor.objects.exists()


def test_the_staff_pages_link_to_the_template_it_documents(client):
    client.force_login(accounts.user("staff"))
    for url in ("/staff/", "/staff/procurements/new/"):
        assert b"/static/procurements-template.csv" in client.get(url).content, url
    documented = (ROOT / "docs" / "IMPORTING.md").read_text()
    header = TEMPLATE.read_text().splitlines()[0].split(",")
    assert all(f"`{column}`" in documented for column in header)
