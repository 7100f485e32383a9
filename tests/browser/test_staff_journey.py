"""The staff journey: sign in, file a request, upload a document, move it on, see the public side follow."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "a-long-browser-test-password"
AGENCY = "Washington County Sheriff's Office"


@pytest.fixture
def editor():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    account = get_user_model().objects.create_user("journey-editor", password=PASSWORD)
    account.groups.add(Group.objects.get_or_create(name="editors")[0])
    return account


def file_request(page, subject, visibility, embargo_until=""):
    page.get_by_role("link", name="File a request to this agency").click()
    expect(page.get_by_label("Agency")).to_have_value("washington-county-sheriffs-office-or")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("What is asked for").fill("All contracts, invoices and emails about Amazon Rekognition.")
    page.get_by_label("Requesting organisation").fill("Example Civil Liberties Union")
    page.get_by_label("Visibility").select_option(visibility)
    if embargo_until:
        page.get_by_label("Embargo until").fill(embargo_until)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)


def test_staff_file_upload_and_move_a_request_and_the_public_side_follows(page, demo_site, editor, tmp_path):
    page.goto(demo_site + "/")
    page.get_by_role("link", name="Staff sign-in").click()
    page.get_by_label("Username").fill("journey-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agencies").click()
    page.locator("details.filter-panel > summary").click()  # the filters are folded behind one control
    page.get_by_label("Name").fill("Washington County")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=AGENCY).click()
    file_request(page, "Rekognition invoices 2019", "public")
    request_url = page.url

    letter = tmp_path / "invoice-summary.txt"
    letter.write_text("Invoice summary: Amazon Rekognition, 12 months of service.")
    page.get_by_role("link", name="Upload documents to this request").click()
    page.get_by_label("Files").set_input_files(str(letter))
    page.get_by_label("Kind").select_option("invoice")
    page.get_by_role("button", name=re.compile("Upload")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("invoice-summary")
    expect(page.get_by_text("invoice-summary: text extracted.")).to_be_visible()

    page.goto(request_url)
    page.get_by_label("Status").select_option("acknowledged")
    page.get_by_label("Direction").select_option("in")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Summary").fill("The sheriff's office acknowledged the request by email.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Status updated.")).to_be_visible()

    # A second request under embargo, which the public must not see yet.
    page.goto(demo_site + "/agencies/washington-county-sheriffs-office-or/")
    file_request(page, "Embargoed drone request", "embargoed", "2999-01-01")

    page.get_by_role("button", name="Sign out").click()
    page.goto(demo_site + "/agencies/washington-county-sheriffs-office-or/")
    expect(page.get_by_text("Records request filed: Rekognition invoices 2019")).to_be_visible()
    expect(page.get_by_text("Acknowledged: Rekognition invoices 2019")).to_be_visible()
    expect(page.get_by_text("Embargoed drone request")).to_have_count(0)
    page.goto(demo_site + "/requests/")
    expect(page.get_by_role("link", name="Rekognition invoices 2019")).to_be_visible()
    expect(page.get_by_text("Embargoed drone request")).to_have_count(0)
    page.goto(demo_site + "/search/?q=drone+request")
    expect(page.get_by_text("Embargoed drone request")).to_have_count(0)


def sign_in(page, site, username):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_staff_procurement_waits_in_the_review_queue_until_an_editor_publishes_it(page, demo_site, editor, width):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    staff = get_user_model().objects.create_user("journey-staff", password=PASSWORD)
    staff.groups.add(Group.objects.get_or_create(name="staff")[0])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, demo_site, "journey-staff")
    page.goto(demo_site + "/agencies/washington-county-sheriffs-office-or/")
    page.get_by_role("link", name="Add a procurement").click()
    page.get_by_label("Vendor").fill("amazon")
    page.get_by_label("Title").fill("Rekognition renewal 2025")
    page.get_by_label("Kind").select_option("contract")
    page.get_by_label("Amount").fill("7200")
    page.get_by_label("Signed on").fill("2025-01-06")
    page.get_by_label("Source url").fill("https://example.org/board/2025-01-06")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekognition renewal 2025")
    expect(page.locator(".staff-bar").get_by_text("Private")).to_be_visible()

    # The staff member corrects the amount through the page's Edit link.
    page.locator(".staff-bar").get_by_role("link", name="Edit").click()
    page.get_by_label("Amount").fill("7250")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Procurement saved.")).to_be_visible()
    expect(page.get_by_text("USD 7,250.00")).to_be_visible()
    procurement_url = page.url
    page.get_by_role("button", name="Sign out").click()
    assert page.goto(procurement_url).status == 404

    sign_in(page, demo_site, "journey-editor")
    page.get_by_role("link", name="Review queue").click()
    row = page.get_by_role("row").filter(has_text="Rekognition renewal 2025")
    expect(row).to_contain_text("journey-staff")
    row.get_by_role("checkbox").check()
    page.get_by_label("Action").select_option("publish")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 record published.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Rekognition renewal 2025")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    assert page.goto(procurement_url).status == 200
    page.goto(demo_site + "/agencies/washington-county-sheriffs-office-or/")
    # On the agency's timeline and in its procurements.
    expect(page.get_by_role("link", name="Contract: Rekognition renewal 2025")).to_be_visible()
    expect(page.get_by_role("complementary").get_by_role("link", name="Rekognition renewal 2025")).to_be_visible()
