"""The OCDS export validates against the official 1.1.5 schema, resolved from local copies (no network)."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

from tests import factories

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "data" / "ocds-1.1.5"

# jsonschema checks "date-time" and "uri" only with optional packages; these two checks need none.
formats = FormatChecker()


@formats.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    return not isinstance(value, str) or datetime.datetime.fromisoformat(value).tzinfo is not None


@formats.checks("uri")
def is_uri(value) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    # Both schemas name themselves by URL ("id"); the package refers to the release schema by it.
    registry = Registry().with_resources(
        [(schema["id"], Resource.from_contents(schema)) for schema in (package, release)]
    )
    return Draft4Validator(package, registry=registry, format_checker=formats)


def assert_valid(validator, package):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []


@pytest.fixture
def procurements():
    agency = factories.agency("Washington County Sheriff's Office", "OR", ori="OR0340000")
    amazon = factories.vendor("Amazon", website="https://aws.amazon.com/")
    rekognition = factories.product(amazon, "Amazon Rekognition")
    public = factories.document(agency, title="Signed contract", kind="contract", date=datetime.date(2018, 1, 2))
    private = factories.document(agency, title="Internal email", visibility="private")
    contract = factories.procurement(
        agency, amazon, product=rekognition, title="Rekognition licence", amount=Decimal("6000.50"),
        status="active", signed_on=datetime.date(2018, 1, 2), start_on=datetime.date(2018, 2, 1),
        end_on=datetime.date(2019, 1, 31), source_url="https://example.org/contract",
    )  # fmt: skip
    contract.documents.set([public, private])
    trial = factories.procurement(agency, amazon, kind="free_trial", title="Rekognition pilot", status="completed")
    unknown = factories.procurement(agency, factories.vendor("Axon"), title="Cameras", status="unknown")
    return {"contract": contract, "trial": trial, "unknown": unknown, "public": public}


def release_for(package, procurement) -> dict:
    return next(r for r in package["releases"] if r["ocid"].endswith(f"-{procurement.pk}"))


def test_the_package_validates_and_maps_each_procurement(client, validator, procurements):
    response = client.get("/procurements/ocds.json")
    assert response["Content-Type"] == "application/json"
    package = response.json()
    assert_valid(validator, package)
    assert package["version"] == "1.1" and len(package["releases"]) == 3

    contract = release_for(package, procurements["contract"])
    parties = {party["id"]: party for party in contract["parties"]}
    buyer, supplier = parties[contract["buyer"]["id"]], parties[contract["awards"][0]["suppliers"][0]["id"]]
    assert (buyer["name"], buyer["roles"]) == ("Washington County Sheriff's Office", ["buyer"])
    assert buyer["additionalIdentifiers"][0]["id"] == "OR0340000"
    assert (supplier["name"], supplier["roles"]) == ("Amazon", ["supplier"])
    award, signed = contract["awards"][0], contract["contracts"][0]
    assert signed["awardID"] == award["id"]
    assert signed["value"] == {"amount": 6000.5, "currency": "USD"}
    assert signed["period"] == {"startDate": "2018-02-01T00:00:00Z", "endDate": "2019-01-31T00:00:00Z"}
    assert (signed["dateSigned"], signed["status"], award["status"]) == ("2018-01-02T00:00:00Z", "active", "active")
    assert [d["url"] for d in signed["documents"]] == [
        "https://example.org/contract",
        f"http://testserver{procurements['public'].get_absolute_url()}",
    ]  # the private document is left out
    assert signed["documents"][1]["documentType"] == "contractSigned"

    trial = release_for(package, procurements["trial"])
    assert trial["tag"] == ["tender", "award", "contract"]
    assert trial["awards"][0]["value"] == {"amount": 0, "currency": "USD"}
    assert trial["tender"]["procurementMethod"] == "direct"
    assert "Free trial" in trial["tender"]["procurementMethodDetails"]
    assert trial["contracts"][0]["status"] == "terminated"

    unknown = release_for(package, procurements["unknown"])
    assert "status" not in unknown["contracts"][0] and "value" not in unknown["contracts"][0]


def test_the_schema_check_is_not_vacuous(validator, procurements, client):
    package = client.get("/procurements/ocds.json").json()
    package["releases"][0]["tag"] = ["bought"]
    del package["version"]
    assert len(list(validator.iter_errors(package))) == 2


def test_the_ocid_prefix_is_a_setting(client, settings, procurements):
    settings.OCDS_OCID_PREFIX = "ocds-213czf"
    package = client.get("/procurements/ocds.json").json()
    expected = {f"ocds-213czf-{procurements[key].pk}" for key in ("contract", "trial", "unknown")}
    assert {release["ocid"] for release in package["releases"]} == expected


def test_the_command_writes_the_same_package_to_a_file_or_standard_output(tmp_path, validator, procurements):
    out = io.StringIO()
    call_command("export_ocds", "--base-url", "https://tracker.example.org/", stdout=out)
    from_stdout = json.loads(out.getvalue())
    assert_valid(validator, from_stdout)
    assert from_stdout["uri"] == "https://tracker.example.org/procurements/ocds.json"
    target = tmp_path / "ocds.json"
    call_command("export_ocds", str(target), "--base-url", "https://tracker.example.org", stderr=io.StringIO())
    from_file = json.loads(target.read_text())
    assert from_file["releases"] == from_stdout["releases"]


@pytest.fixture
def terms():
    """A public master contract, a purchase under it with every term recorded, and a sole-source award."""
    cooperative = factories.agency("Sourcewell", "MN")
    buyer = factories.agency("Marion County Sheriff", "OR")
    flock = factories.vendor("Flock Safety")
    master = factories.procurement(cooperative, flock, kind="framework", title="Sourcewell contract 040920-FLK",
                                   method="open", status="active")  # fmt: skip
    purchase = factories.procurement(
        buyer, flock, kind="purchase_order", title="Flock cameras", amount=Decimal("45000"), status="active",
        method="cooperative", method_rationale="Bought off the Sourcewell award; no local bid.",
        parent_contract=master, funding_source="federal_grant", funding_program="Byrne JAG",
        funding_award_number="15PBJA-23-GG-01234-JAGX", signed_on=datetime.date(2024, 3, 1),
    )  # fmt: skip
    sole_source = factories.procurement(
        buyer, factories.vendor("Cellebrite"), title="Phone extraction", method="direct",
        method_rationale="Only vendor of a compatible tool.", funding_source="asset_forfeiture",
    )  # fmt: skip
    return {"master": master, "purchase": purchase, "sole_source": sole_source}


def test_every_term_maps_onto_the_release_and_the_package_still_validates(client, validator, terms, settings):
    settings.OCDS_OCID_PREFIX = "ocds-test"
    package = client.get("/procurements/ocds.json").json()
    assert_valid(validator, package)

    purchase = release_for(package, terms["purchase"])
    tender = purchase["tender"]
    # The method codelist has no cooperative purchase: it is said in the details, the contract is related.
    assert "procurementMethod" not in tender
    assert tender["procurementMethodDetails"].startswith("Cooperative purchasing")
    assert tender["procurementMethodRationale"] == "Bought off the Sourcewell award; no local bid."
    assert purchase["tag"] == ["tender", "award", "contract"]
    assert purchase["relatedProcesses"] == [
        {
            "id": "framework", "relationship": ["framework"], "title": "Sourcewell contract 040920-FLK",
            "scheme": "ocid", "identifier": f"ocds-test-{terms['master'].pk}",
            "uri": "http://testserver/procurements/ocds.json",
        }
    ]  # fmt: skip
    assert {r["ocid"] for r in package["releases"]} >= {f"ocds-test-{terms['master'].pk}"}
    funder = next(party for party in purchase["parties"] if party["roles"] == ["funder"])
    assert (funder["id"], funder["name"]) == ("funder-byrne-jag", "Byrne JAG")
    assert purchase["planning"]["budget"] == {
        "description": "Federal grant: Byrne JAG", "project": "Byrne JAG", "projectID": "15PBJA-23-GG-01234-JAGX",
    }  # fmt: skip

    sole_source = release_for(package, terms["sole_source"])
    assert sole_source["tender"]["procurementMethod"] == "direct"
    assert sole_source["tender"]["procurementMethodRationale"] == "Only vendor of a compatible tool."
    assert sole_source["planning"]["budget"] == {"description": "Asset forfeiture"}
    assert [party["roles"] for party in sole_source["parties"]] == [["buyer"], ["supplier"]]  # no funder named
    assert "relatedProcesses" not in sole_source
    assert release_for(package, terms["master"])["tender"]["procurementMethod"] == "open"


def test_only_public_procurements_are_in_the_package_and_a_hidden_contract_is_not_named(client, validator, terms):
    agency, vendor = terms["purchase"].agency, terms["purchase"].vendor
    today = timezone.localdate()
    private = factories.procurement(agency, vendor, title="Private pilot", visibility="private")
    embargoed = factories.procurement(agency, vendor, title="Embargoed deal", visibility="embargoed",
                                      embargo_until=today + datetime.timedelta(days=30))  # fmt: skip
    released = factories.procurement(agency, vendor, title="Embargo over", visibility="embargoed",
                                     embargo_until=today - datetime.timedelta(days=1))  # fmt: skip
    master = terms["master"]
    master.visibility = "private"
    master.save()

    out = io.StringIO()
    call_command("export_ocds", stdout=out)
    for package in (client.get("/procurements/ocds.json").json(), json.loads(out.getvalue())):
        assert_valid(validator, package)
        titles = {r["awards"][0]["title"] for r in package["releases"]}
        assert titles == {"Flock cameras", "Phone extraction", "Embargo over"}
        assert not {private.title, embargoed.title, master.title} & titles
        assert not any(r["ocid"].endswith(f"-{hidden.pk}") for hidden in (private, embargoed, master)
                       for r in package["releases"])  # fmt: skip
        assert "relatedProcesses" not in release_for(package, terms["purchase"])
        assert master.title not in json.dumps(package)
        assert any(r["ocid"].endswith(f"-{released.pk}") for r in package["releases"])
