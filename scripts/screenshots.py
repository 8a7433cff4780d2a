"""Screenshots of a running Meridian site at phone (390×844) and desktop (1280×800) size: home, a
profile, search results and the admin's verification queue (first screen and full page of each).

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 DIR --create-reviewer
    SCREENSHOT_EMAIL=… SCREENSHOT_PASSWORD=… .venv/bin/python scripts/screenshots.py URL DIR

The queue needs a staff reviewer. `--create-reviewer` makes (or resets) one in the site's own database,
screenshots-reviewer@meridian.example with a random password: run it with the same DJANGO_SETTINGS_MODULE
and DATABASE_URL as the server (for `make run`, the defaults). Otherwise give an existing reviewer's
credentials in SCREENSHOT_EMAIL and SCREENSHOT_PASSWORD. The screenshots are not committed.
"""

import argparse
import os
import re
import secrets
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
SEARCH = "/practitioners/?location=10001"
QUEUE = "/admin/practitioners/verificationqueue/"
# The launch arguments of the browser tests (conftest.py).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
REVIEWER_EMAIL = "screenshots-reviewer@meridian.example"
REVIEWER_GROUP = "Credential reviewers"  # created by accounts' migrations


def create_reviewer() -> tuple[str, str]:
    """A staff member of the reviewers' group with a confirmed address (staff sign in through allauth)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings.dev")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    password = secrets.token_urlsafe(16)
    user, _ = get_user_model().objects.get_or_create(email=REVIEWER_EMAIL, defaults={"first_name": "Screenshot"})
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    EmailAddress.objects.update_or_create(user=user, email=REVIEWER_EMAIL, defaults={"verified": True, "primary": True})
    return REVIEWER_EMAIL, password


def first_profile(page) -> str:
    """The first result's profile, from the search page the browser is on."""
    match = re.search(r'href="(/practitioners/[a-z0-9-]+/)[?"]', page.content())
    if not match:
        raise SystemExit(f"No listing in {page.url}: seed the demo data (make run does).")
    return match.group(1)


def shoot(page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"))
    page.screenshot(path=str(directory / f"{name}-full.png"), full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("directory", type=Path, help="where the PNG files go (created)")
    parser.add_argument("--create-reviewer", action="store_true", help="create a reviewer in the site's database")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    if args.create_reviewer:
        email, password = create_reviewer()
    else:
        email, password = os.environ.get("SCREENSHOT_EMAIL"), os.environ.get("SCREENSHOT_PASSWORD")
        if not email or not password:
            raise SystemExit("Give --create-reviewer, or SCREENSHOT_EMAIL and SCREENSHOT_PASSWORD.")
    args.directory.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, (width, height) in VIEWPORTS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in (("home", "/"), ("search", SEARCH), ("profile", None)):
                page.goto(base + (path or first_profile(page)), wait_until="networkidle")
                shoot(page, args.directory, f"{name}-{size}")
            page.goto(f"{base}/accounts/login/?next={QUEUE}")
            page.locator("#id_login").fill(email)
            page.locator("#id_password").fill(password)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url(f"**{QUEUE}")
            shoot(page, args.directory, f"admin-queue-{size}")
            context.close()
        browser.close()
    print(f"{len(VIEWPORTS) * 4 * 2} screenshots in {args.directory}")


if __name__ == "__main__":
    main()
