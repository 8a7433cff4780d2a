"""Pure rules of the dashboard: no ORM, no request. Views and services call these."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_LICENSE_NOISE = re.compile(r"[\s#]+")


def normalize_license_number(number: str) -> str:
    """How two license numbers are compared: case, spaces and '#' do not matter."""
    return _LICENSE_NOISE.sub("", number or "").upper()


@dataclass(frozen=True)
class Step:
    """Something the practitioner has to do (or wait for) before the listing is public."""

    text: str
    done: bool = False


def missing_steps(
    *,
    status: str,
    license_states: Iterable[str],
    location_count: int,
    certification_states: Iterable[str] = (),
    unlicensed_states: Sequence[str] = (),
    all_locations_unlicensed: bool = False,
) -> list[Step]:
    """What stands between a listing and publication, in the order to tackle it.

    `license_states` / `certification_states` hold each credential's verification state.
    `unlicensed_states` names the location states that license no acupuncturists; when every
    location is in one (`all_locations_unlicensed`), a verified NCCAOM certification takes the
    license's place (`trust.state_requirement_met`).
    """
    states = list(license_states)
    steps: list[Step] = []
    if status == "suspended":
        return [Step("Your listing is suspended by Meridian staff. Contact us to find out why.")]
    if all_locations_unlicensed and location_count:
        certifications = list(certification_states)
        where = " and ".join(unlicensed_states)
        if not certifications:
            steps.append(
                Step(
                    f"Add your NCCAOM certification: {where} does not license acupuncturists, "
                    "so staff check your national certification instead"
                )
            )
        elif "verified" not in certifications:
            if "pending" in certifications:
                steps.append(Step("NCCAOM certification pending verification: staff check it with the NCCAOM"))
            else:
                steps.append(Step("Add an NCCAOM certification we can verify (see the reasons below)"))
    elif not states:
        steps.append(Step("Add a license"))
    elif "verified" not in states:
        if "pending" in states:
            steps.append(Step("License pending verification: staff check it with the state board"))
        else:
            steps.append(Step("Add a license we can verify (see the reasons below)"))
    if location_count == 0:
        steps.append(Step("Add a practice location"))
    if status == "draft" and not steps:
        steps.append(Step("Waiting for staff to publish your listing"))
    return steps


def location_license_warning(*, location_state: str, license_states: Iterable[str], licenses_there: bool = True) -> str:
    """A warning (not an error) for a practice address in a state where no license is held.

    `licenses_there=False`: the state licenses no acupuncturists (`StateBoard.regulation`), so no
    license is missing there."""
    if not licenses_there:
        return (
            f"{location_state} does not license acupuncturists. This location counts once staff verify your "
            "NCCAOM certification, as long as all your practice locations are in states without acupuncture "
            "licensure; otherwise the license of another location's state is what counts."
        )
    if location_state in set(license_states):
        return ""
    return (
        f"You hold no license in {location_state} on Meridian. This location is listed, but it does not count "
        f"towards the verified-license badge until a license in {location_state} is added and verified."
    )
