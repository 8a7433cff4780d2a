"""Pure rules of the dashboard: no ORM, no request. Views and services call these."""

import re
from collections.abc import Iterable
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


def missing_steps(*, status: str, license_states: Iterable[str], location_count: int) -> list[Step]:
    """What stands between a listing and publication, in the order to tackle it.

    `license_states` holds each license's verification state.
    """
    states = list(license_states)
    steps: list[Step] = []
    if status == "suspended":
        return [Step("Your listing is suspended by Meridian staff. Contact us to find out why.")]
    if not states:
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


def location_license_warning(*, location_state: str, license_states: Iterable[str]) -> str:
    """A warning (not an error) for a practice address in a state where no license is held."""
    if location_state in set(license_states):
        return ""
    return (
        f"You hold no license in {location_state} on Meridian. This location is listed, but it does not count "
        f"towards the verified-license badge until a license in {location_state} is added and verified."
    )


# ---------------------------------------------------------------- claim proof


def mask_email(address: str) -> str:
    """j***@e***.com: enough for the claimant to recognise the address, not to learn it."""
    local, _, domain = (address or "").partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if local and host else "***"


def mask_phone(number: str) -> str:
    """*** *** **23: the last two digits only."""
    digits = [ch for ch in number or "" if ch.isdigit()]
    return f"*** *** **{''.join(digits[-2:])}" if len(digits) >= 7 else "***"


def sms_number(number: str) -> str | None:
    """A US phone number as +1 and ten digits, or None when it cannot take a text message."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"+1{digits}" if len(digits) == 10 else None
