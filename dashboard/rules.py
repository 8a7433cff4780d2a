"""Pure rules of the dashboard: no ORM, no request. Views and services call these."""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from practitioners import trust

_LICENSE_NOISE = re.compile(r"[\s#]+")


def normalize_license_number(number: str) -> str:
    """How two license numbers are compared: case, spaces and '#' do not matter."""
    return _LICENSE_NOISE.sub("", number or "").upper()


@dataclass(frozen=True)
class Step:
    """Something the practitioner has to do (or wait for) before the listing is public."""

    text: str
    done: bool = False


@dataclass(frozen=True)
class LicenseFacts:
    """What the dashboard needs to know about one license to say why it does not count yet."""

    state: str
    verification_state: str
    board_status: str
    restricted: bool
    expiry_date: datetime.date | None


def _license_problem(lic: LicenseFacts, today: datetime.date) -> str:
    """Why a verified license is not current (trust.license_is_current is False), in the practitioner's words."""
    if lic.board_status != trust.LICENSE_ACTIVE:
        return f"The board lists your {lic.state} license as {lic.board_status}: only an active license counts"
    if lic.restricted:
        return f"Your {lic.state} license is restricted: only an unrestricted license counts"
    if lic.expiry_date is None:
        return f"Add the expiry date of your {lic.state} license so staff can check it is current"
    return (
        f"Your {lic.state} license expired on {lic.expiry_date:%B} {lic.expiry_date.day}, {lic.expiry_date.year}: "
        "renew it with the board and submit the new expiry date"
    )


def missing_steps(
    *,
    status: str,
    requirement_met: bool,
    licenses: Iterable[LicenseFacts],
    location_states: Iterable[str],
    today: datetime.date,
    certification_states: Iterable[str] = (),
    unlicensed_states: Sequence[str] = (),
    all_locations_unlicensed: bool = False,
) -> list[Step]:
    """What stands between a listing and publication, in the order to tackle it.

    `requirement_met` is the one definition publication uses (`trust.state_requirement_met`, the
    same rule as `Practitioner.objects.state_requirement_met()`); the licenses and certifications
    only explain what is missing when it is False. `unlicensed_states` names the location states
    that license no acupuncturists; when every location is in one (`all_locations_unlicensed`), a
    verified NCCAOM certification takes the license's place.
    """
    licenses = list(licenses)
    location_states = set(location_states)
    steps: list[Step] = []
    if status == "suspended":
        return [Step("Your listing is suspended by Meridian staff. Contact us to find out why.")]
    if requirement_met:
        pass
    elif all_locations_unlicensed and location_states:
        certifications = list(certification_states)
        where = " and ".join(unlicensed_states)
        if not certifications:
            steps.append(
                Step(
                    f"Add your NCCAOM certification: {where} does not license acupuncturists, "
                    "so staff check your national certification instead"
                )
            )
        elif "pending" in certifications:
            steps.append(Step("NCCAOM certification pending verification: staff check it with the NCCAOM"))
        else:
            steps.append(Step("Add an NCCAOM certification we can verify (see the reasons below)"))
    elif not licenses:
        steps.append(Step("Add a license"))
    else:
        current = {
            lic.state
            for lic in licenses
            if trust.license_is_current(
                verification_state=lic.verification_state,
                board_status=lic.board_status,
                restricted=lic.restricted,
                expiry_date=lic.expiry_date,
                today=today,
            )
        }
        if current and location_states:
            held, places = ", ".join(sorted(current)), ", ".join(sorted(location_states))
            steps.append(
                Step(
                    f"Your verified license is for {held}, but your practice locations are in {places}: "
                    f"add a license for a state you practise in, or a location in {held}"
                )
            )
        for lic in licenses:
            if lic.verification_state == trust.VERIFIED and lic.state not in current:
                steps.append(Step(_license_problem(lic, today)))
        if any(lic.verification_state == "pending" for lic in licenses):
            steps.append(Step("License pending verification: staff check it with the state board"))
        elif not current and not steps:
            steps.append(Step("Add a license we can verify (see the reasons below)"))
    if not location_states:
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
