"""Accessibility (axe-core), phones at 390 px, keyboard use and the README's screenshots."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a-long-browser-test-password"


def main_pages(site) -> dict[str, str]:
    from records.models import Document, RecordsRequest

    document = Document.objects.filter(is_excerpt=True).first()
    return {
        "home": "/",
        "timeline": "/timeline/",
        "agencies": "/agencies/",
        "agency": "/agencies/washington-county-sheriffs-office-or/",
        "agency's sharing network": "/agencies/waxhaw-police-department/",
        "sharing links": "/sharing/?state=NC",
        "vendors": "/vendors/",
        "vendor": "/vendors/amazon/",
        "technologies": "/technologies/",
        "technology": "/technologies/face-recognition/",
        "procurements": "/procurements/",
        "requests": "/requests/",
        "request": RecordsRequest.objects.first().get_absolute_url(),
        "documents": "/documents/",
        "document": document.get_absolute_url(),
        "search": "/search/?q=rekognition",
        "follow": "/follow/?url=/vendors/amazon/",
        "sign-in": "/accounts/login/",
        "not found": "/agencies/no-such-agency/",
    }


def sign_in_as_editor(page, site):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    editor = get_user_model().objects.create_user("browser-editor", password=PASSWORD)
    # Groups come from a data migration; a transactional test's flush may have removed them.
    editor.groups.add(Group.objects.get_or_create(name="editors")[0])
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("browser-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")


def serious_violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_no_serious_accessibility_violations_on_any_main_page(browser, demo_site, axe_source):
    # axe is injected as a script; the pages' own CSP would (rightly) refuse it, so this context bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    problems = {}
    for name, path in main_pages(demo_site).items():
        page.goto(demo_site + path)
        found = serious_violations(page, axe_source)
        if found:
            problems[name] = found
    sign_in_as_editor(page, demo_site)
    for name, path in {"staff dashboard": "/staff/", "file a request": "/staff/requests/new/"}.items():
        page.goto(demo_site + path)
        if found := serious_violations(page, axe_source):
            problems[name] = found
    context.close()
    assert problems == {}


def test_no_horizontal_scrolling_on_a_phone(browser, demo_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    too_wide = {}
    for name, path in main_pages(demo_site).items():
        page.goto(demo_site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[name] = width
    # The navigation works by touch.
    page.goto(demo_site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agencies").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies")
    context.close()
    assert too_wide == {}


def test_keyboard_reaches_the_skip_link_and_the_content(page, demo_site):
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo_site + "/#main")
    # Tab on from the main content to the first timeline link and follow it with Enter.
    page.locator("#main a.chip, #main .event-title a").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def save_screenshot(page, path):
    # Written whole under a temporary name, then renamed: the PostgreSQL and SQLite runs of `make test` take
    # the same screenshots at the same time, and a reader must never see half a file.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(page.screenshot(full_page=False))
    os.replace(partial, path)


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_for_the_readme(browser, demo_site, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in {
        "home": "/",
        "agency": "/agencies/washington-county-sheriffs-office-or/",
        "vendor": "/vendors/amazon/",
        "search": "/search/?q=%22big+brother%22",
    }.items():
        page.goto(demo_site + path)
        save_screenshot(page, SCREENSHOTS / f"{name}-{width}.png")
    sign_in_as_editor(page, demo_site)
    save_screenshot(page, SCREENSHOTS / f"staff-dashboard-{width}.png")
    context.close()
    assert (SCREENSHOTS / f"home-{width}.png").stat().st_size > 10_000
