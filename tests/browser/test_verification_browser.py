"""A credential reviewer works the queue in headless Chromium: signs in to the admin, opens the
verification queue, verifies a license against the state board's lookup, and the practitioner's
public profile then shows the badge with today's date."""

import pytest
from django.utils import dateformat, timezone

from practitioners.models import License, Practitioner, VerificationRecord
from tests.factories import LicenseFactory, LocationFactory, PractitionerFactory, ReviewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lotus pagoda morning 17"


@pytest.fixture
def reviewer():
    from allauth.account.models import EmailAddress

    user = ReviewerFactory(email="rita@meridian.example", first_name="Rita", last_name="Alvarez")
    user.set_password(PASSWORD)
    user.save()
    # Staff sign in through allauth like everyone else, so their address is confirmed too.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def imported_listing():
    """A listing from the registry import: draft and unclaimed until a license is verified."""
    practitioner = PractitionerFactory(
        name="Hana Okafor", slug="hana-okafor", npi="1234567893", status=Practitioner.Status.DRAFT, owner=None
    )
    LocationFactory(practitioner=practitioner, is_primary=True)  # San Francisco, CA
    LicenseFactory(
        practitioner=practitioner,
        number="AC777001",
        verification_state="pending",
        verified_at=None,
        submitted_at=timezone.now() - timezone.timedelta(days=3),
    )
    return practitioner


def test_reviewer_verifies_a_license_from_the_queue_and_the_profile_shows_it(
    page, live_server, reviewer, imported_listing
):
    base = live_server.url
    profile_url = base + imported_listing.get_absolute_url()

    # Not public yet: an imported listing waits for a verified license.
    assert page.goto(profile_url).status == 404

    # Sign in to the admin as the reviewer: the admin sends staff to the (throttled) sign-in page.
    page.goto(base + "/admin/")
    page.wait_for_url("**/accounts/login/?next=%2Fadmin%2F")
    page.locator("#id_login").fill(reviewer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(base + "/admin/")

    # Open the verification queue from the admin index.
    page.get_by_role("link", name="Verification queue").first.click()
    page.wait_for_url("**/admin/practitioners/verificationqueue/")
    row = page.locator("#result_list tbody tr", has_text="AC777001")
    assert "Hana Okafor" in row.inner_text()
    assert "3\xa0days" in row.inner_text()

    # Open the credential: the claim, the board's lookup, and the decision forms.
    row.get_by_role("link", name="L.Ac. CA #AC777001").click()
    page.wait_for_url("**/admin/practitioners/license/*/change/")
    panel = page.locator(".verification-panel")
    board_link = panel.locator(".vp-lookup a")
    assert board_link.get_attribute("href") == imported_listing.licenses.get().state.lookup_url
    verify = panel.locator("form.vp-decision-verify")
    assert verify.get_by_label("Checked against").input_value() == board_link.get_attribute("href")
    verify.get_by_label("Note (optional)").fill("Active, no discipline on the board's record.")
    verify.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert "recorded" in page.locator(".messagelist").inner_text()
    assert "Pending verification → Verified" in panel.locator(".vp-timeline").inner_text()
    assert "by Rita Alvarez" in panel.locator(".vp-timeline").inner_text()

    license_ = License.objects.get(number="AC777001")
    assert license_.verification_state == "verified" and license_.verified_by == reviewer
    assert VerificationRecord.objects.filter(credential_id=license_.pk).count() == 1

    # The public profile now exists and shows the badge with today's date.
    page.goto(profile_url)
    main = page.locator("main").inner_text()
    assert "Verified license" in main
    today = dateformat.format(timezone.localdate(), "N j, Y")
    assert f"Verified by Meridian on {today}" in main
