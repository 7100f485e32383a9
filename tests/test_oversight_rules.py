"""Oversight: the status a procurement gets from its evidence and the laws covering its agency (by table),
the flags its fields raise, and the service that stores the status (on the real database)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from records.models import Jurisdiction, OversightLaw, OversightRecord, Procurement
from records.rules import oversight as rule
from records.services.oversight import oversight_record, oversight_update, procurements_refresh_all_oversight
from records.services.timeline import procurement_update
from tests import factories

D = datetime.date
SIGNED = D(2021, 6, 1)
ORDINANCE = rule.Law(
    "City ordinance", "Code ch. 1", D(2018, 1, 1), frozenset({rule.OBLIGATION_APPROVAL, rule.OBLIGATION_IMPACT_REPORT})
)
GRANT_LAW = rule.Law("Grant law", "Code ch. 2", D(2018, 1, 1), frozenset({rule.OBLIGATION_GRANT_APPROVAL}))
POST_ACT = rule.Law(
    "POST Act",
    "Admin. Code 14-188",
    D(2020, 7, 15),
    frozenset({rule.OBLIGATION_IMPACT_REPORT, rule.OBLIGATION_USE_POLICY}),
)
MILITARY = rule.Law(
    "AB 481",
    "Gov. Code 7070",
    D(2022, 1, 1),
    frozenset({rule.OBLIGATION_APPROVAL, rule.OBLIGATION_USE_POLICY}),
    frozenset({7}),
)
LATER = rule.Law("Later law", "Code ch. 3", D(2023, 1, 1), frozenset({rule.OBLIGATION_APPROVAL}))

VOTE_YES = rule.Evidence(rule.VOTE, D(2021, 5, 1), "approved", url="https://example.org/minutes")
VOTE_YES_LATE = rule.Evidence(rule.VOTE, D(2021, 7, 1), "approved", url="https://example.org/late")
VOTE_NO = rule.Evidence(rule.VOTE, D(2021, 5, 1), "rejected")
VOTE_TABLED = rule.Evidence(rule.VOTE, D(2021, 5, 1), "tabled")
VOTE_CLOSED = rule.Evidence(rule.VOTE, D(2021, 5, 1), "approved", public_meeting=False, url="https://example.org/c")
REPORT = rule.Evidence(rule.IMPACT_REPORT, D(2021, 4, 1))
POLICY = rule.Evidence(rule.USE_POLICY, D(2021, 4, 1))
EMERGENCY = rule.Evidence(rule.EMERGENCY, D(2021, 6, 1), url="https://example.org/emergency")
WAIVER = rule.Evidence(rule.BID_WAIVER, D(2021, 5, 20), url="https://example.org/waiver")
NONE_FOUND = rule.Evidence(rule.NONE_FOUND, D(2018, 6, 1))
HEARING = rule.Evidence(rule.HEARING, D(2021, 4, 15))

PLAIN = rule.Purchase(SIGNED)
GRANT = rule.Purchase(SIGNED, grant_funded=True)
UNDATED = rule.Purchase(None)
DRONE = rule.Purchase(D(2022, 6, 1), technologies=frozenset({7}))
CAMERA = rule.Purchase(D(2022, 6, 1), technologies=frozenset({3}))


@pytest.mark.parametrize(
    "purchase, evidence, laws, status, missing",
    [
        # No law: the evidence alone decides.
        (PLAIN, [], [], rule.UNKNOWN, 0),
        (PLAIN, [HEARING], [], rule.UNKNOWN, 0),
        (PLAIN, [VOTE_YES], [], rule.APPROVED_PUBLIC, 0),
        (PLAIN, [VOTE_NO], [], rule.UNKNOWN, 0),
        (PLAIN, [VOTE_TABLED, NONE_FOUND], [], rule.NO_APPROVAL_FOUND, 0),
        (PLAIN, [VOTE_CLOSED], [], rule.APPROVED_NO_PROCESS, 0),
        (PLAIN, [WAIVER], [], rule.APPROVED_NO_PROCESS, 0),
        (PLAIN, [EMERGENCY], [], rule.APPROVED_NO_PROCESS, 0),
        (PLAIN, [NONE_FOUND], [], rule.NO_APPROVAL_FOUND, 0),
        (PLAIN, [NONE_FOUND, VOTE_YES], [], rule.APPROVED_PUBLIC, 0),
        # An ordinance asking for a vote and an impact report before acquisition.
        (PLAIN, [VOTE_YES, REPORT], [ORDINANCE], rule.APPROVED_PUBLIC, 0),
        (PLAIN, [VOTE_YES], [ORDINANCE], rule.REQUIRED_MISSING, 1),
        (PLAIN, [REPORT], [ORDINANCE], rule.REQUIRED_MISSING, 1),
        (PLAIN, [], [ORDINANCE], rule.REQUIRED_MISSING, 2),
        (PLAIN, [NONE_FOUND], [ORDINANCE], rule.REQUIRED_MISSING, 2),
        (PLAIN, [VOTE_YES_LATE, REPORT], [ORDINANCE], rule.REQUIRED_MISSING, 1),  # voted after signing
        (PLAIN, [VOTE_CLOSED, REPORT], [ORDINANCE], rule.REQUIRED_MISSING, 1),  # closed vote is no approval
        (PLAIN, [EMERGENCY], [ORDINANCE], rule.APPROVED_NO_PROCESS, 0),
        (UNDATED, [], [ORDINANCE], rule.UNKNOWN, 0),  # may predate the law
        (PLAIN, [], [LATER], rule.UNKNOWN, 0),  # bought before the law took effect
        # Approval before accepting grant funds applies to grant-funded purchases only.
        (PLAIN, [], [GRANT_LAW], rule.UNKNOWN, 0),
        (GRANT, [], [GRANT_LAW], rule.REQUIRED_MISSING, 1),
        (GRANT, [VOTE_YES], [GRANT_LAW], rule.APPROVED_PUBLIC, 0),
        # A law without a vote (the POST Act): reports and policy suffice, no approval follows from them.
        (PLAIN, [REPORT, POLICY], [POST_ACT], rule.UNKNOWN, 0),
        (PLAIN, [REPORT], [POST_ACT], rule.REQUIRED_MISSING, 1),
        # A law for listed equipment only.
        (DRONE, [], [MILITARY], rule.REQUIRED_MISSING, 2),
        (CAMERA, [], [MILITARY], rule.UNKNOWN, 0),
        # The city's ordinance and the state's law together: the state's use policy is still missing.
        (DRONE, [VOTE_YES, REPORT], [ORDINANCE, MILITARY], rule.REQUIRED_MISSING, 1),
    ],
)
def test_status_by_law_and_evidence(purchase, evidence, laws, status, missing):
    result = rule.oversight_status(purchase, evidence, laws)
    assert (result.status, len(result.missing)) == (status, missing)


def test_public_approval_carries_its_date_and_link():
    result = rule.oversight_status(PLAIN, [VOTE_YES, REPORT], [ORDINANCE])
    assert (result.approved_on, result.approval_url) == (D(2021, 5, 1), "https://example.org/minutes")


def test_missing_counts_from_its_due_date():
    result = rule.oversight_status(PLAIN, [], [ORDINANCE])
    assert result.due_on == SIGNED
    assert rule.effective_status(result.status, result.due_on, D(2021, 5, 31)) == rule.UNKNOWN
    assert rule.effective_status(result.status, result.due_on, SIGNED) == rule.REQUIRED_MISSING


@pytest.mark.parametrize(
    "fields, evidence, flags",
    [
        ({}, [], []),
        ({"method": "direct"}, [], [("Sole source without a stated rationale", ("method", "method_rationale"))]),
        ({"method": "direct", "method_rationale": "Only vendor"}, [], []),
        ({"kind": "free_trial", "amount": 5000}, [], [("Free trial that became a paid contract", ("kind", "amount"))]),
        ({"kind": "free_trial", "amount": None}, [], []),
        ({"parent_kind": "free_trial", "amount": 9}, [], [("Free trial that became a paid contract",
                                                             ("parent_contract", "kind", "amount"))]),
        ({"funding_source": "federal_grant"}, [], [("Grant-funded, accepted before any vote",
                                                    ("funding_source", "signed_on"))]),
        ({"funding_source": "federal_grant"}, [VOTE_YES], []),
        ({"funding_source": "federal_grant"}, [VOTE_YES_LATE], [("Grant-funded, accepted before any vote",
                                                                  ("funding_source", "signed_on"))]),
        ({}, [WAIVER], [("Bid waiver", ("oversight records: bid waiver",))]),
    ],
)  # fmt: skip
def test_flags_name_their_fields(fields, evidence, flags):
    arguments = {"method": "", "method_rationale": "", "kind": "contract", "funding_source": "",
                 "acquired_on": SIGNED, "amount": None, **fields}  # fmt: skip
    result = rule.procurement_flags(**arguments, evidence=evidence)
    assert [(flag.label, flag.fields) for flag in result] == flags


# The service, on the database.


def _ordinance_city():
    oakland = Jurisdiction.objects.get(level="city", state="CA", name="Oakland")
    return oakland, factories.agency("Oakland Police Department", jurisdiction=oakland)


@pytest.mark.django_db
def test_seeded_laws_have_citations():
    laws = {law.jurisdiction.name: law for law in OversightLaw.objects.select_related("jurisdiction")}
    assert {"Seattle", "Oakland", "San Francisco", "Cambridge", "Nashville", "New York City", "California"} <= set(laws)
    assert laws["Oakland"].citation.startswith("Oakland Municipal Code ch. 9.64")
    assert "19B" in laws["San Francisco"].citation and "14.18" in laws["Seattle"].citation
    assert "7070" in laws["California"].citation and "14-188" in laws["New York City"].citation


@pytest.mark.django_db
def test_ab_481_holds_a_california_agency_to_a_vote_for_drones_only():
    sheriff = factories.agency("Kern Sheriff", jurisdiction=factories.county("Kern County", "CA"))
    vendor = factories.vendor()
    bought = {}
    for slug in ("drones", "face-recognition"):
        product = factories.product(vendor, technologies=[factories.technology(slug)])
        procurement = factories.procurement(sheriff, vendor, product=product, signed_on=D(2023, 2, 1))
        bought[slug] = procurement_update(procurement=procurement)
    for slug, status in (("drones", rule.REQUIRED_MISSING), ("face-recognition", rule.UNKNOWN)):
        bought[slug].refresh_from_db()
        assert bought[slug].oversight_status == status, slug


@pytest.mark.django_db
def test_service_stores_the_status_and_follows_each_write():
    _, police = _ordinance_city()
    procurement = factories.procurement(police, signed_on=SIGNED)
    # Saved without the service, it has not been derived yet; the service derives it.
    procurement = procurement_update(procurement=procurement)
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.REQUIRED_MISSING
    assert procurement.oversight_due_on == SIGNED
    assert Procurement.objects.oversight_is(rule.REQUIRED_MISSING, D(2022, 1, 1)).filter(pk=procurement.pk).exists()
    assert Procurement.objects.oversight_is(rule.UNKNOWN, D(2021, 1, 1)).filter(pk=procurement.pk).exists()

    source = "https://oakland.legistar.com/example"
    for kind in ("impact_report", "use_policy"):
        oversight_record(procurement=procurement, kind=kind, date=D(2021, 3, 1), source_url=source)
    vote = oversight_record(
        procurement=procurement, kind="vote", body="City Council", date=D(2021, 4, 1), outcome="approved",
        votes_for=8, votes_against=0, source_url=source, visibility="private",
    )  # fmt: skip
    procurement.refresh_from_db()
    # A private vote does not count for the status the public is shown.
    assert procurement.oversight_status == rule.REQUIRED_MISSING
    oversight_update(record=vote, visibility="public")
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.APPROVED_PUBLIC
    assert vote.vote_count == "8–0"

    # Bought before the ordinance took effect: no obligation, the public vote stands.
    procurement_update(procurement=procurement, signed_on=D(2017, 1, 1))
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.APPROVED_PUBLIC


@pytest.mark.django_db
def test_an_ended_embargo_counts_from_the_next_refresh_and_never_before():
    _, police = _ordinance_city()
    procurement = procurement_update(procurement=factories.procurement(police, signed_on=SIGNED))
    source = "https://oakland.legistar.com/example"
    for kind in ("impact_report", "use_policy"):
        oversight_record(procurement=procurement, kind=kind, date=D(2021, 3, 1), source_url=source)
    vote = oversight_record(
        procurement=procurement, kind="vote", body="City Council", date=D(2021, 4, 1), outcome="approved",
        source_url=source, visibility="embargoed", embargo_until=datetime.date.today() + datetime.timedelta(days=30),
    )  # fmt: skip
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.REQUIRED_MISSING  # the embargoed vote is not shown yet
    assert procurements_refresh_all_oversight() == (1, 0)
    # The embargo ends (by date, with no write): the daily refresh counts the vote, and only then.
    OversightRecord.objects.filter(pk=vote.pk).update(embargo_until=datetime.date.today())
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.REQUIRED_MISSING
    out = io.StringIO()
    call_command("refresh_oversight", stdout=out)
    assert out.getvalue() == "1 procurement read, 1 status changed.\n"
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.APPROVED_PUBLIC
    call_command("refresh_oversight", stdout=out)
    assert out.getvalue().endswith("1 procurement read, 0 statuses changed.\n")


@pytest.mark.django_db
def test_an_agency_moved_in_the_admin_falls_under_its_new_places_laws(admin_client):
    from tests.test_admin import change_form_data

    police = factories.agency("Moved Police", jurisdiction=factories.county())
    procurement = procurement_update(procurement=factories.procurement(police, signed_on=SIGNED))
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.UNKNOWN
    url = f"/admin/records/agency/{police.pk}/change/"
    oakland = Jurisdiction.objects.get(level="city", state="CA", name="Oakland")
    assert admin_client.post(url, change_form_data(admin_client, url) | {"jurisdiction": oakland.pk}).status_code == 302
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.REQUIRED_MISSING


@pytest.mark.django_db
def test_the_compliance_counts_leave_out_what_is_not_due_yet():
    from records.selectors.oversight import oversight_laws_compliance

    _, police = _ordinance_city()
    for signed in (SIGNED, D(2027, 3, 1)):
        procurement_update(procurement=factories.procurement(police, signed_on=signed))

    def oakland(today):
        rows = oversight_laws_compliance(reader=None, today=today)
        row = next(r for r in rows if r["law"].jurisdiction.name == "Oakland")
        return row["total"], row["missing"]

    assert oakland(D(2026, 12, 1)) == (2, 1)
    assert oakland(D(2027, 3, 1)) == (2, 2)


@pytest.mark.django_db
def test_evidence_of_absence_says_what_was_searched():
    sheriff = factories.agency("Sheriff", jurisdiction=factories.county())
    procurement = factories.procurement(sheriff)
    with pytest.raises(ValidationError) as error:
        oversight_record(procurement=procurement, kind="none_found", source_url="https://example.org/r")
    assert "searched" in error.value.message_dict
    assert not OversightRecord.objects.exists()
    request = factories.records_request(sheriff)
    oversight_record(
        procurement=procurement, kind="none_found", records_request=request,
        searched="A public-records request for any record of public discussion", found="None was provided.",
    )  # fmt: skip
    procurement.refresh_from_db()
    assert procurement.oversight_status == rule.NO_APPROVAL_FOUND


@pytest.mark.django_db
def test_a_record_on_an_agencys_use_counts_for_its_procurements_of_that_technology():
    sheriff = factories.agency("Sheriff", jurisdiction=factories.county())
    face = factories.technology("face-recognition")
    faces = factories.procurement(sheriff, product=factories.product(technologies=[face]))
    other = factories.procurement(sheriff, product=factories.product(technologies=[]))
    oversight_record(
        agency=sheriff, technology=face, kind="none_found", searched="Agendas 2016-2018", source_url="https://e.org/a"
    )
    statuses = dict(Procurement.objects.filter(agency=sheriff).values_list("pk", "oversight_status"))
    assert statuses == {faces.pk: rule.NO_APPROVAL_FOUND, other.pk: rule.UNKNOWN}


# The pages.


@pytest.mark.django_db
def test_pages_show_the_status_and_keep_hidden_evidence_and_acquisitions_out(client):
    sheriff = factories.agency("Quiet Sheriff", jurisdiction=factories.county())
    shown = factories.procurement(sheriff, title="Listed acquisition")
    hidden = factories.procurement(sheriff, title="Hidden acquisition", visibility="private")
    request = factories.records_request(sheriff)
    for procurement in (shown, hidden):
        oversight_record(procurement=procurement, kind="none_found", records_request=request,
                         searched="Agendas 2016 to 2018", found="Nothing on the agendas.")  # fmt: skip
    oversight_record(procurement=shown, kind="hearing", source_url="https://example.org/h",
                     notes="x", body="Secret hearing body", visibility="private")  # fmt: skip

    page = client.get("/oversight/?state=OR").content.decode()
    assert "Listed acquisition" in page and "Hidden acquisition" not in page
    assert "Oakland Municipal Code ch. 9.64" in page
    detail = client.get(shown.get_absolute_url()).content.decode()
    assert "No public approval found" in detail and "Agendas 2016 to 2018" in detail
    assert "Secret hearing body" not in detail
    listed = client.get("/procurements/?oversight=no_approval_found&format=json").json()["results"]
    assert [(row["title"], row["oversight_status"]) for row in listed] == [("Listed acquisition", "no_approval_found")]
    assert client.get("/procurements/?oversight=approved_public").status_code == 200
    bad = client.get("/oversight/?state=ZZ")
    assert bad.status_code == 400 and "two-letter" in bad.content.decode()


@pytest.mark.django_db
def test_ocds_carries_the_vote_and_hearing_and_still_validates(client):
    from tests.test_ocds import assert_valid
    from tests.test_ocds import validator as make_validator

    _, police = _ordinance_city()
    procurement = factories.procurement(police, title="Drone programme", signed_on=SIGNED)
    oversight_record(procurement=procurement, kind="hearing", body="Privacy Advisory Commission", date=D(2021, 3, 4),
                     source_url="https://example.org/agenda")  # fmt: skip
    oversight_record(procurement=procurement, kind="vote", body="City Council", date=D(2021, 4, 6),
                     outcome="approved", votes_for=7, source_url="https://example.org/minutes",
                     agenda_item="Item 7.2")  # fmt: skip
    oversight_record(procurement=procurement, kind="vote", body="Secret", date=D(2021, 4, 7), outcome="approved",
                     source_url="https://example.org/secret", visibility="private")  # fmt: skip
    package = client.get("/procurements/ocds.json").json()
    assert_valid(make_validator.__wrapped__(), package)
    planning = next(r for r in package["releases"] if r["ocid"].endswith(f"-{procurement.pk}"))["planning"]
    assert [(m["type"], m["status"], m.get("dateMet", "")[:10]) for m in planning["milestones"]] == [
        ("engagement", "met", "2021-03-04"),
        ("approval", "met", "2021-04-06"),
    ]
    assert [(d["documentType"], d["url"]) for d in planning["documents"]] == [
        ("hearingNotice", "https://example.org/agenda"),
        ("approvalDocument", "https://example.org/minutes"),
    ]


@pytest.mark.django_db
def test_the_demo_shows_no_approval_found_beside_seattles_council_approval(client):
    from django.core.management import call_command

    call_command("load_demo", stdout=__import__("io").StringIO())
    wcso = Procurement.objects.get(agency__slug="washington-county-sheriffs-office-or")
    assert wcso.oversight_status == rule.NO_APPROVAL_FOUND
    detail = client.get(wcso.get_absolute_url()).content.decode()
    assert "No public approval found" in detail and "No such record was provided." in detail
    assert "Records about Amazon Rekognition (Oregon)" in detail
    agency = client.get("/agencies/washington-county-sheriffs-office-or/").content.decode()
    assert "0 of 1 acquisition had a recorded approval at a public meeting" in agency
    seattle = client.get("/agencies/seattle-police-department-wa/").content.decode()
    assert "Council Bill 120025 (Ordinance 126312)" in seattle and "Apr 19, 2021" in seattle
    assert "seattle.legistar.com" in seattle and "Surveillance impact report" in seattle
    listed = client.get("/oversight/").content.decode()
    assert "Seattle Municipal Code ch. 14.18" in listed and "Amazon Rekognition with product support" in listed
    from records.selectors.oversight import oversight_laws_compliance

    seattle_row = next(
        r
        for r in oversight_laws_compliance(reader=None, today=D(2026, 12, 1))
        if r["law"].jurisdiction.name == "Seattle"
    )
    assert seattle_row["votes"] == 1


@pytest.mark.parametrize(
    "month, day, today, due",
    [
        (3, 31, D(2026, 3, 1), D(2026, 3, 31)),
        (3, 31, D(2026, 3, 31), D(2026, 3, 31)),
        (3, 31, D(2026, 4, 1), D(2027, 3, 31)),
        (2, 31, D(2027, 1, 5), D(2027, 2, 28)),
    ],
)
def test_the_next_annual_report(month, day, today, due):
    assert rule.next_annual_report(month, day, today) == due


@pytest.mark.django_db
def test_obligations_falling_due_are_on_the_dashboard_and_in_the_calendar(client):
    from django.utils import timezone

    from records.models import StaffProfile
    from tests.accounts import user

    today = timezone.localdate()
    _, police = _ordinance_city()
    planned = factories.procurement(police, title="Planned drones", signed_on=today + datetime.timedelta(days=20))
    soon = procurement_update(procurement=planned)
    far = factories.procurement(police, title="Far-off cameras", signed_on=today + datetime.timedelta(days=200))
    procurement_update(procurement=far)
    law = OversightLaw.objects.get(jurisdiction__name="Oakland")
    month_ahead = today + datetime.timedelta(days=30)
    law.annual_report_month, law.annual_report_day = month_ahead.month, month_ahead.day
    law.save()

    staff = user("staff")
    client.force_login(staff)
    dashboard = client.get("/staff/").content.decode()
    assert "Public approval due: Planned drones" in dashboard and "Far-off cameras" not in dashboard
    assert "Annual surveillance report due: Oakland, CA" in dashboard
    token = StaffProfile.objects.create(user=staff).calendar_token
    calendar = client.get(f"/staff/deadlines.ics?token={token}").content.decode().replace("\r\n ", "")
    assert f"UID:procurement-{soon.pk}-oversight@surveillance-tracker" in calendar
    assert f"DTSTART;VALUE=DATE:{month_ahead:%Y%m%d}" in calendar


@pytest.mark.django_db
def test_an_agency_merge_moves_the_evidence_and_rederives_the_status():
    from records.services.merges import agency_merge

    _, police = _ordinance_city()
    duplicate = factories.agency("Oakland PD (duplicate)", jurisdiction=factories.county())
    procurement = procurement_update(procurement=factories.procurement(duplicate, signed_on=SIGNED))
    oversight_record(procurement=procurement, kind="none_found", searched="Agendas", source_url="https://e.org/a")
    assert Procurement.objects.get(pk=procurement.pk).oversight_status == rule.NO_APPROVAL_FOUND
    agency_merge(keep=police, remove=duplicate)
    # Now under Oakland's ordinance: its approval and impact report are required and missing.
    assert Procurement.objects.get(pk=procurement.pk).oversight_status == rule.REQUIRED_MISSING
    assert OversightRecord.objects.get().agency == police
