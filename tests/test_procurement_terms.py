"""Money and contract terms: how a procurement was bought and funded, the contract it was bought under, the known
spend each page states (of what the reader may see), and the contracts coming to an end for staff."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records.models import Procurement, StaffProfile
from records.selectors.procurements import PURCHASES_SHOWN
from records.selectors.requests import contracts_ending, staff_dashboard
from records.web.forms import ProcurementForm
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
PUBLIC = AnonymousUser()


def text_of(response) -> str:
    """A page's text with its tags out and its white space as single spaces, as a reader sees it."""
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


@pytest.fixture
def sourcewell():
    """A cooperative contract awarded by a purchasing cooperative, and the buyer and vendor of a purchase."""
    cooperative = factories.agency("Sourcewell", "MN")
    flock = factories.vendor("Flock Safety")
    contract = factories.procurement(
        cooperative, flock, kind="framework", title="Sourcewell contract 040920-FLK", method="open",
        signed_on=datetime.date(2020, 5, 1), end_on=datetime.date(2026, 5, 1),
    )  # fmt: skip
    return {"contract": contract, "vendor": flock, "buyer": factories.agency("Marion County Sheriff", "OR")}


# The staff form


def procurement_data(buyer, vendor, **overrides) -> dict:
    return {
        "agency": buyer.slug, "vendor": vendor.slug, "product": "", "title": "Flock cameras", "kind": "purchase_order",
        "status": "active", "method": "", "method_rationale": "", "parent_contract": "", "amount": "45000",
        "currency": "USD", "funding_source": "", "funding_program": "", "funding_award_number": "", "signed_on": "",
        "start_on": "", "end_on": "", "reference_number": "", "source_url": "", "description": "",
        "visibility": "public", "embargo_until": "",
    } | overrides  # fmt: skip


def test_a_purchase_is_recorded_under_its_master_contract_with_its_method_and_funding(client, sourcewell):
    client.force_login(user("editor"))
    contract = sourcewell["contract"]
    response = client.post("/staff/procurements/new/", procurement_data(
        sourcewell["buyer"], sourcewell["vendor"], method="cooperative", parent_contract=str(contract.pk),
        method_rationale="Piggybacked on the Sourcewell award; no local bid.", funding_source="federal_grant",
        funding_program="Byrne JAG", funding_award_number="15PBJA-23-GG-01234-JAGX", signed_on="2024-03-01",
    ))  # fmt: skip
    purchase = Procurement.objects.get(title="Flock cameras")
    assert response.status_code == 302 and response["Location"] == purchase.get_absolute_url()
    assert (purchase.method, purchase.parent_contract, purchase.funding_source) == (
        "cooperative", contract, "federal_grant",
    )  # fmt: skip
    assert (purchase.funding_program, purchase.funding_award_number) == ("Byrne JAG", "15PBJA-23-GG-01234-JAGX")

    page = text_of(client.get(purchase.get_absolute_url()))
    assert "How it was bought Cooperative purchasing contract" in page
    assert "The stated reason: Piggybacked on the Sourcewell award; no local bid." in page
    assert "Under the contract Sourcewell contract 040920-FLK Sourcewell" in page
    assert "Funding Federal grant: Byrne JAG award 15PBJA-23-GG-01234-JAGX" in page
    assert f'href="{contract.get_absolute_url()}"' in client.get(purchase.get_absolute_url()).content.decode()

    master = text_of(client.get(contract.get_absolute_url()))
    assert "Purchases under this contract" in master and "Flock cameras Marion County Sheriff" in master
    assert "Known spend under it: $45,000.00 across 1 procurement with a recorded amount, signed Mar 2024." in master


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"parent_contract": "999999"}, "parent_contract", "No procurement has the number 999999."),
        ({"parent_contract": "x"}, "parent_contract", "Enter a whole number."),
        ({"funding_source": "agency_budget", "funding_program": "Byrne JAG"}, "funding_program",
         "A grant programme goes with a grant: set the funding source to a federal or state grant"),
        ({"funding_award_number": "2020-DJ-BX-0001"}, "funding_award_number",
         "An award number goes with a grant: set the funding source to a federal or state grant"),
    ],
)  # fmt: skip
def test_the_form_says_what_is_wrong_with_the_terms_and_saves_nothing(client, sourcewell, overrides, field, message):
    client.force_login(user("editor"))
    response = client.post("/staff/procurements/new/", procurement_data(sourcewell["buyer"], sourcewell["vendor"],
                                                                        **overrides))  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not Procurement.objects.filter(title="Flock cameras").exists()


def test_a_purchase_goes_under_a_master_contract_only(client, sourcewell):
    client.force_login(user("editor"))
    plain = factories.procurement(sourcewell["buyer"], sourcewell["vendor"], kind="contract", title="Plain deal")
    data = procurement_data(sourcewell["buyer"], sourcewell["vendor"], parent_contract=str(plain.pk))
    page = client.post("/staff/procurements/new/", data).content.decode()
    assert f"Procurement {plain.pk} (“Plain deal”) is a contract, not a cooperative or master contract" in page
    assert not Procurement.objects.filter(title="Flock cameras").exists()


def test_a_contract_is_not_bought_under_itself(sourcewell):
    contract = sourcewell["contract"]
    data = procurement_data(contract.agency, contract.vendor, title=contract.title, kind="framework",
                            parent_contract=str(contract.pk))  # fmt: skip
    form = ProcurementForm(data, instance=contract, can_publish=True)
    assert not form.is_valid()
    assert form.errors["parent_contract"] == ["A procurement cannot be bought under itself."]
    # An edit form shows the contract it is under by its number.
    purchase = factories.procurement(parent_contract=contract)
    assert f'value="{contract.pk}"' in str(ProcurementForm(instance=purchase)["parent_contract"])


# The procurement's page


def test_the_contract_bought_under_is_named_only_to_readers_who_may_see_it(client, sourcewell):
    contract = sourcewell["contract"]
    contract.visibility = "private"
    contract.save()
    purchase = factories.procurement(sourcewell["buyer"], sourcewell["vendor"], parent_contract=contract,
                                     method="cooperative")  # fmt: skip
    public = client.get(purchase.get_absolute_url()).content.decode()
    assert contract.title not in public and contract.get_absolute_url() not in public
    client.force_login(user("staff"))
    assert (
        f'<a href="{contract.get_absolute_url()}">{contract.title}</a>'
        in client.get(purchase.get_absolute_url()).content.decode()
    )


def test_a_master_contract_lists_the_visible_purchases_under_it_in_fixed_queries(client, sourcewell):
    contract = sourcewell["contract"]
    buyer, flock = sourcewell["buyer"], sourcewell["vendor"]
    for month in (1, 2, 3):
        factories.procurement(buyer, flock, parent_contract=contract, title=f"Purchase {month}", amount=1000,
                              signed_on=datetime.date(2023, month, 1))  # fmt: skip
    factories.procurement(buyer, flock, parent_contract=contract, title="Unannounced purchase", amount=99_000,
                          visibility="private")  # fmt: skip
    factories.procurement(buyer, flock, parent_contract=contract, title="Undisclosed price")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(contract.get_absolute_url()).status_code == 200
        return len(captured)

    page = text_of(client.get(contract.get_absolute_url()))
    assert "Purchase 3" in page and "Unannounced purchase" not in page
    assert (
        "Known spend under it: $3,000.00 across 3 procurements with a recorded amount, signed Jan 2023 – Mar 2023. "
        "1 more procurement has no recorded amount." in page
    )
    few = queries()
    for number in range(PURCHASES_SHOWN + 5):
        factories.procurement(buyer, flock, parent_contract=contract, title=f"Later purchase {number}")
    assert queries() == few
    page = text_of(client.get(contract.get_absolute_url()))
    # Newest signed first, then those without a date, newest recorded first: a bounded list.
    assert page.index("Purchase 3") < page.index("Purchase 1") < page.index(f"Later purchase {PURCHASES_SHOWN + 4}")
    assert page.count("Later purchase") == PURCHASES_SHOWN - 3
    assert f"All {PURCHASES_SHOWN + 9} purchases →" in page
    assert f'?under={contract.pk}"' in client.get(contract.get_absolute_url()).content.decode()

    client.force_login(user("staff"))
    assert "$102,000.00 across 4 procurements" in text_of(client.get(contract.get_absolute_url()))


# The list and its exports


def test_the_list_filters_by_method_funding_and_contract_and_exports_the_terms(client, sourcewell):
    contract = sourcewell["contract"]
    buyer, flock = sourcewell["buyer"], sourcewell["vendor"]
    factories.procurement(buyer, flock, title="Sole-source cameras", method="direct",
                          method_rationale="Only vendor compatible with the state's network.",
                          funding_source="federal_grant", funding_program="UASI",
                          funding_award_number="EMW-2022-SS")  # fmt: skip
    factories.procurement(buyer, flock, title="Cameras off Sourcewell", method="cooperative",
                          parent_contract=contract, funding_source="asset_forfeiture")  # fmt: skip

    def titles(query) -> set[str]:
        return {row["title"] for row in client.get(f"/procurements/?format=json&{query}").json()["results"]}

    assert titles("method=direct") == {"Sole-source cameras"}
    assert titles("funding_source=asset_forfeiture") == {"Cameras off Sourcewell"}
    assert titles(f"under={contract.pk}") == {"Cameras off Sourcewell"}
    assert client.get("/procurements/?method=bribery").status_code == 400

    rows = {row["title"]: row for row in read_csv(client.get("/procurements/?format=csv"))}
    direct, purchase = rows["Sole-source cameras"], rows["Cameras off Sourcewell"]
    assert (direct["method"], direct["funding_source"], direct["funding_program"]) == (
        "direct",
        "federal_grant",
        "UASI",
    )
    assert direct["funding_award_number"] == "EMW-2022-SS" and direct["parent_contract"] == ""
    assert (purchase["parent_contract"], purchase["parent_contract_url"]) == (
        contract.title, f"http://testserver{contract.get_absolute_url()}",
    )  # fmt: skip
    assert rows[contract.title]["method"] == "open" and rows[contract.title]["funding_source"] == ""
    json_rows = {row["title"]: row for row in client.get("/procurements/?format=json").json()["results"]}
    assert json_rows["Cameras off Sourcewell"]["parent_contract"] == {
        "name": contract.title, "url": f"http://testserver{contract.get_absolute_url()}",
    }  # fmt: skip
    assert json_rows[contract.title]["funding_source"] is None

    # A contract the reader may not see is not named, nor can its purchases be listed by its number.
    contract.visibility = "private"
    contract.save()
    rows = {row["title"]: row for row in read_csv(client.get("/procurements/?format=csv"))}
    assert rows["Cameras off Sourcewell"]["parent_contract"] == ""
    assert titles(f"under={contract.pk}") == set()
    client.force_login(user("staff"))
    assert titles(f"under={contract.pk}") == {"Cameras off Sourcewell"}


# Known spend


def test_known_spend_says_what_it_adds_up_in_one_query():
    agency = factories.agency("Counting PD", "OR")
    factories.procurement(agency, amount=Decimal("100.00"), signed_on=datetime.date(2014, 2, 3))
    factories.procurement(agency, amount=Decimal("250.50"), start_on=datetime.date(2025, 9, 10))
    factories.procurement(agency, signed_on=datetime.date(2030, 1, 1))  # no amount: not in the date range
    factories.procurement(agency, amount=Decimal("300.00"), currency="EUR", signed_on=datetime.date(2010, 1, 1))
    # A master contract's value is what others may buy under it, not spending: never added in.
    factories.procurement(agency, kind="framework", amount=Decimal("9000000.00"), signed_on=datetime.date(2005, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        spend = Procurement.objects.filter(agency=agency).spend()
    assert len(captured) == 1
    assert spend.total == Decimal("350.50")
    assert (spend.with_amount, spend.without_amount, spend.other_currency, spend.frameworks) == (2, 1, 1, 1)
    assert spend.procurements == 5
    assert (spend.first_signed, spend.last_signed) == (datetime.date(2014, 2, 3), datetime.date(2025, 9, 10))
    nothing = Procurement.objects.none().spend()
    assert (nothing.total, nothing.procurements, nothing.first_signed) == (None, 0, None)


@pytest.fixture
def spending():
    """Oregon buys from Flock: public, private and embargoed procurements, one of a face-recognition product."""
    face = factories.technology("face-recognition")
    flock = factories.vendor("Flock Safety")
    product = factories.product(flock, "FaceFinder", [face])
    agency = factories.agency("Salem Police", "OR")
    factories.procurement(
        agency, flock, product=product, amount=Decimal("12000.00"), signed_on=datetime.date(2019, 4, 2)
    )
    factories.procurement(agency, flock, product=product, amount=Decimal("500.25"), signed_on=datetime.date(2021, 7, 9))
    factories.procurement(agency, flock, product=product, title="Undisclosed")
    factories.procurement(agency, flock, product=product, amount=Decimal("7000000.00"), visibility="private",
                          signed_on=datetime.date(2024, 1, 1))  # fmt: skip
    factories.procurement(agency, flock, product=product, amount=Decimal("800000.00"), visibility="embargoed",
                          embargo_until=TODAY + 30 * DAY, signed_on=datetime.date(2024, 2, 1))  # fmt: skip
    factories.procurement(factories.agency("Miami Police", "FL"), flock, amount=Decimal("1.00"))
    return {"agency": agency, "vendor": flock, "technology": face}


PUBLIC_SPEND = ("$12,500.25 across 2 procurements with a recorded amount, signed Apr 2019 – Jul 2021. "
                "1 more procurement has no recorded amount.")  # fmt: skip
STAFF_SPEND = ("$7,812,500.25 across 4 procurements with a recorded amount, signed Apr 2019 – Feb 2024. "
               "1 more procurement has no recorded amount.")  # fmt: skip


def pages(world) -> dict[str, str]:
    return {
        "agency": world["agency"].get_absolute_url(),
        "vendor": f"{world['vendor'].get_absolute_url()}?state=OR",
        "technology": world["technology"].get_absolute_url(),
        "procurements": "/procurements/?state=OR",
    }


def test_known_spend_on_each_page_counts_only_what_the_reader_may_see(client, spending):
    for name, url in pages(spending).items():
        assert PUBLIC_SPEND in text_of(client.get(url)), name
    client.force_login(user("staff"))
    for name, url in pages(spending).items():
        assert STAFF_SPEND in text_of(client.get(url)), name


def test_the_pages_json_carries_the_same_spend(client, spending):
    expected = {
        "total": "12500.25", "currency": "USD", "with_amount": 2, "without_amount": 1, "other_currency": 0,
        "frameworks": 0, "first_signed": "2019-04-02", "last_signed": "2021-07-09",
    }  # fmt: skip
    for name, url in pages(spending).items():
        separator = "&" if "?" in url else "?"
        assert client.get(f"{url}{separator}format=json").json()["spend"] == expected, name
    client.force_login(user("staff"))
    staff = client.get("/procurements/?state=OR&format=json").json()["spend"]
    assert (staff["total"], staff["with_amount"], staff["last_signed"]) == ("7812500.25", 4, "2024-02-01")


def test_the_list_states_the_spend_of_its_filters_and_says_when_nothing_is_known(client, spending):
    assert "Known spend: $12,501.25 across 3 procurements" in text_of(client.get("/procurements/"))
    factories.procurement(factories.agency("Florida cooperative", "FL"), kind="framework", amount=Decimal("5000000"))
    filtered = text_of(client.get("/procurements/?state=FL"))
    assert (
        "Known spend of the procurements matching these filters: $1.00 across 1 procurement with a recorded amount. "
        "1 cooperative or master contract is not added in: purchases under it count on their own." in filtered
    )
    unknown = factories.agency("Quiet PD", "NV")
    assert "Known spend Not known: no procurement recorded." in text_of(client.get(unknown.get_absolute_url()))
    factories.procurement(unknown)
    factories.procurement(unknown)
    page = text_of(client.get(unknown.get_absolute_url()))
    assert "Known spend Not known: no recorded amount to add up. 2 procurements have no recorded amount." in page
    assert client.get(f"{unknown.get_absolute_url()}?format=json").json()["spend"]["total"] is None


# Contracts ending, for staff


@pytest.fixture
def endings():
    agency = factories.agency("Renewing PD", "OR")
    ends = {
        "Ended yesterday": TODAY - DAY, "Ends today": TODAY, "Ends on day 90": TODAY + 90 * DAY,
        "Ends on day 91": TODAY + 91 * DAY, "Ends in a week": TODAY + 7 * DAY,
    }  # fmt: skip
    for title, end_on in ends.items():
        factories.procurement(agency, title=title, end_on=end_on)
    factories.procurement(agency, title="Cancelled, would end soon", end_on=TODAY + 5 * DAY, status="cancelled")
    factories.procurement(agency, title="Private, ends soon", end_on=TODAY + 3 * DAY, visibility="private")
    factories.procurement(agency, title="Ended a while ago", end_on=TODAY - 31 * DAY)
    factories.procurement(agency, title="Ended last month", end_on=TODAY - 20 * DAY)
    return agency


def test_the_dashboard_lists_contracts_ending_in_the_next_90_days_soonest_first(client, endings):
    board = staff_dashboard(user=user("staff"), today=TODAY)
    expected = ["Ends today", "Private, ends soon", "Ends in a week", "Ends on day 90"]
    assert [p.title for p in board["contracts_ending"]] == expected
    assert board["contracts_ending_count"] == 4
    # Outside staff, no private contract: the rule is the one every reader gets.
    assert "Private, ends soon" not in {p.title for p in contracts_ending(reader=PUBLIC, today=TODAY)}

    client.force_login(user("staff"))
    page = text_of(client.get("/staff/"))
    assert "Contracts ending in the next 90 days" in page and "that vote is where oversight happens" in page
    listed = page[page.index("Contracts ending in the next 90 days") : page.index("My open requests")]
    assert [title for title in expected if title in listed] == expected
    assert "Ends on day 91" not in listed and "Ended yesterday" not in listed and "Cancelled" not in listed
    assert "Private, ends soon Private" in listed


def test_the_dashboard_says_when_no_contract_is_ending(client):
    client.force_login(user("staff"))
    assert "No recorded contract ends in the next 90 days." in text_of(client.get("/staff/"))


def test_the_staff_calendar_has_an_all_day_event_for_each_contract_end(client, endings):
    renewal = factories.procurement(endings, title="Cameras, with a comma", end_on=datetime.date(2031, 2, 28))
    token = StaffProfile.objects.create(user=user("staff")).calendar_token
    response = client.get(f"/staff/deadlines.ics?token={token}")
    assert response.status_code == 200
    unfolded = response.content.decode().replace("\r\n ", "")
    events = unfolded.split("BEGIN:VEVENT")[1:]
    summaries = [line for event in events for line in event.split("\r\n") if line.startswith("SUMMARY:")]
    assert "SUMMARY:Contract ends: Cameras\\, with a comma (Renewing PD)" in summaries
    # Private contracts are there (the calendar is staff-only); cancelled and long-ended ones are not.
    titles = {summary.removeprefix("SUMMARY:Contract ends: ").removesuffix(" (Renewing PD)") for summary in summaries}
    assert {"Private\\, ends soon", "Ends on day 91", "Ended last month", "Ended yesterday"} <= titles
    assert not {"Cancelled\\, would end soon", "Ended a while ago"} & titles
    event = next(event for event in events if "Cameras\\, with a comma" in event)
    assert "DTSTART;VALUE=DATE:20310228\r\n" in event and "DTEND;VALUE=DATE:20310301\r\n" in event
    assert f"URL:http://testserver{renewal.get_absolute_url()}\r\n" in event
    assert f"UID:procurement-{renewal.pk}-ends@surveillance-tracker" in event
