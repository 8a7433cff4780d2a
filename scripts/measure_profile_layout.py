"""Measure a profile page's layout in headless Chromium: page height and where the fees and the
rating first appear, at a desktop (1280×800) and a phone (390×844) viewport.

    .venv/bin/python scripts/measure_profile_layout.py http://127.0.0.1:8000/practitioners/<slug>/ [--screenshots DIR]

"First appear" is the top of the first element on the page that states the first-visit fee or the
overall rating (the summary card when there is one, else the "Fees and insurance" section and the
reviews' rating summary); the sections' own positions follow. Prints one line per viewport; screenshots are optional and not committed.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
# The first match wins: the summary card's facts, then the long sections' (the page before the card).
FEES = ["#glance-fee", "#fees-h"]
RATING = ["#glance-rating", ".rating-overall"]
# The long sections themselves, before and after the summary card.
SECTIONS = {"fees section": "#fees-h", "rating summary": ".rating-overall", "locations": "#loc-h"}


def first_top(page, selectors: list[str]) -> tuple[str, int] | None:
    for selector in selectors:
        box = page.evaluate(
            "(s) => { const e = document.querySelector(s); if (!e) return null;"
            " const r = e.getBoundingClientRect(); return r.top + window.scrollY; }",
            selector,
        )
        if box is not None:
            return selector, round(box)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        for name, (width, height) in VIEWPORTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(args.url)
            page.wait_for_load_state("networkidle")
            total = page.evaluate("document.documentElement.scrollHeight")
            fees, rating = first_top(page, FEES), first_top(page, RATING)
            sections = {label: first_top(page, [selector]) for label, selector in SECTIONS.items()}
            print(f"{name} {width}x{height}: height {total}px, fees at {fees}, rating at {rating}; sections {sections}")
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshots / f"profile-{name}-full.png"), full_page=True)
                page.screenshot(path=str(args.screenshots / f"profile-{name}-first-screen.png"))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
