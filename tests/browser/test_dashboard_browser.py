"""The practitioner's journey in headless Chromium: claim a listing, staff approve the claim in the
admin, edit the fee and upload a photo, see both on the public profile; then change the license
number and watch the verified badge disappear. Every dashboard page is checked with axe-core and
for CSP violations on the way."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from practitioners.models import Practitioner
from tests.factories import LicenseFactory, LocationFactory, PractitionerFactory, UserFactory, VerifiedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def sign_in(context, live_server, user) -> None:
    """Give a browser context a real session cookie for `user`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def check(page, name: str) -> None:
    """No axe-core violations and no CSP violations on the page now shown."""
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    assert page.evaluate("window.__cspViolations") == [], f"{name}: CSP violations"


def portrait_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1200), (30, 110, 100)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def unclaimed():
    listing = PractitionerFactory(
        name="Ana Ruiz", slug="ana-ruiz", owner=None, first_visit_fee=110, contact_email="desk@anaruiz.example"
    )
    LocationFactory(practitioner=listing, is_primary=True)
    LicenseFactory(practitioner=listing, number="AC012345")
    return listing


def test_claim_approve_edit_fee_upload_photo_then_license_change_removes_badge(
    page, browser, live_server, unclaimed, tmp_path
):
    base = live_server.url
    practitioner = VerifiedUserFactory(email="ana@example.com")
    sign_in(page.context, live_server, practitioner)
    page.add_init_script(CSP_LISTENER)

    # 1. Claim the listing.
    page.goto(base + "/dashboard/")
    check(page, "dashboard start")
    page.get_by_role("link", name="Find and claim your listing").click()
    page.get_by_label("Your name as it appears on the listing").fill("Ana")
    page.get_by_role("button", name="Search").click()
    check(page, "claim search")
    page.get_by_role("link", name="Claim this listing (Ana Ruiz)").click()
    check(page, "claim form")
    page.get_by_label("License state").select_option("CA")
    page.get_by_label("License number").fill("AC 012345")
    page.get_by_role("button", name="Send claim for review").click()
    # … and prove it with a code sent to the practice's email on record.
    expect(page.locator("h1")).to_contain_text("Prove you run Ana Ruiz")
    check(page, "claim proof")
    page.get_by_label("Email to d***@a***.example").check()
    page.get_by_role("button", name="Send the code").click()
    expect(page.locator("main")).to_contain_text("We sent a code to d***@a***.example")
    code = re.search(r"the code is (\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("The 6-digit code we sent").fill(code)
    check(page, "claim proof, code sent")
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.locator("main")).to_contain_text("Your claim is awaiting review")
    expect(page.locator("main")).to_contain_text("You confirmed the code we sent to d***@a***.example")

    # 2. Staff approve it in the admin, in their own browser session.
    staff = UserFactory(is_staff=True, email="staff@example.com")
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_claim", "view_claim"]))
    staff_context = browser.new_context()
    sign_in(staff_context, live_server, staff)
    admin = staff_context.new_page()
    admin.goto(base + "/admin/dashboard/pendingclaim/")
    admin.get_by_role("checkbox", name="Select this object for an action").first.check()
    admin.get_by_label("Action:").select_option("approve_claims")
    admin.get_by_role("button", name="Run").click()
    expect(admin.locator("body")).to_contain_text("Approved 1 claim(s)")
    staff_context.close()
    assert Practitioner.objects.get(pk=unclaimed.pk).owner_id == practitioner.pk

    # 3. The practitioner edits the fee.
    page.goto(base + "/dashboard/")
    check(page, "dashboard home")
    page.get_by_role("link", name="Edit your listing").click()
    check(page, "listing form")
    page.get_by_label("First visit fee").fill("135")
    page.get_by_role("button", name="Save listing").click()
    expect(page.locator("main")).to_contain_text("Confirmed today: fees.")

    # 4. … and uploads a photo.
    page.get_by_role("link", name="Upload a photo").click()
    check(page, "photo form")
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(portrait_jpeg())
    page.get_by_label("Photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(page.locator("main")).to_contain_text("Your photo is saved.")

    # 5. The public profile shows both, with the verified badge.
    page.goto(base + unclaimed.get_absolute_url())
    assert "$135.00" in page.content()
    image = page.get_by_role("img", name="Photo of Ana Ruiz")
    assert "/media/photos/ana-ruiz-" in image.get_attribute("src")
    page.wait_for_function("document.querySelector('img.glance-photo').naturalWidth === 480")
    assert page.locator(".badge-verified", has_text="Verified license").count() == 1

    # 6. Changing the license number sends it back to verification: the badge goes.
    page.goto(base + "/dashboard/")
    page.get_by_role("link", name="Edit license AC012345").click()
    check(page, "credential form")
    assert "goes back to our staff for verification" in page.content()
    page.get_by_label("License number").fill("AC012346")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text("waiting for verification")
    page.goto(base + unclaimed.get_absolute_url())
    assert page.locator(".badge-verified", has_text="Verified license").count() == 0
    assert "Verification pending" in page.content()


def test_location_and_credential_forms_are_accessible(page, live_server):
    owner = VerifiedUserFactory()
    listing = PractitionerFactory(owner=owner, name="Lee Park", slug="lee-park")
    location = LocationFactory(practitioner=listing, is_primary=True)
    LicenseFactory(practitioner=listing)
    sign_in(page.context, live_server, owner)
    page.add_init_script(CSP_LISTENER)
    for name, path in [
        ("location add", "/dashboard/locations/new/"),
        ("location edit", f"/dashboard/locations/{location.pk}/"),
        ("license add", "/dashboard/credentials/license/new/"),
        ("degree add", "/dashboard/credentials/degree/new/"),
        ("reviews", "/dashboard/reviews/"),
    ]:
        page.goto(live_server.url + path)
        check(page, name)
    # A form with errors is accessible too.
    page.goto(live_server.url + "/dashboard/locations/new/")
    page.get_by_label("City").fill("Oakland")
    page.get_by_label("ZIP code").fill("00000")
    page.get_by_role("button", name="Add location").click()
    expect(page.locator("main")).to_contain_text("Nothing was saved.")
    check(page, "location form with errors")


def test_two_tabs_editing_the_listing_never_overwrite_each_other_silently(page, live_server):
    """Issue 11, item 8: two pages of one browser context edit the same listing."""
    owner = VerifiedUserFactory()
    listing = PractitionerFactory(owner=owner, first_visit_fee=110, bio="Old bio.")
    LocationFactory(practitioner=listing, is_primary=True)
    LicenseFactory(practitioner=listing)
    sign_in(page.context, live_server, owner)
    page.add_init_script(CSP_LISTENER)
    url = live_server.url + "/dashboard/listing/"
    first, second = page, page.context.new_page()
    second.add_init_script(CSP_LISTENER)
    first.goto(url)
    second.goto(url)

    first.get_by_label("First visit fee").fill("150")
    first.get_by_role("button", name="Save listing").click()
    expect(first.locator("main")).to_contain_text("Your listing is saved")

    # The second tab changes only the bio: the first tab's fee stays.
    second.get_by_label("About you").fill("New bio from the second tab.")
    second.get_by_role("button", name="Save listing").click()
    expect(second.locator("main")).to_contain_text("Your listing is saved")
    listing.refresh_from_db()
    assert (listing.first_visit_fee, listing.bio) == (150, "New bio from the second tab.")

    # Both change the fee: the second is shown both values and chooses.
    first.goto(url)
    second.goto(url)
    first.get_by_label("First visit fee").fill("160")
    first.get_by_role("button", name="Save listing").click()
    second.get_by_label("First visit fee").fill("99")
    second.get_by_role("button", name="Save listing").click()
    expect(second.locator("main")).to_contain_text("Changed in another tab")
    check(second, "listing conflict")
    second.get_by_label("Keep the saved one: 160.00").check()
    second.get_by_role("button", name="Save listing").click()
    expect(second.locator("main")).to_contain_text("Your listing is saved")
    listing.refresh_from_db()
    assert listing.first_visit_fee == 160
