"""Parsing FHIR search parameter values (R4 search syntax: https://hl7.org/fhir/R4/search.html).

Pure functions: text in, typed values out, `BadValue` with a specific message otherwise.
No ORM here; `fhir.search` turns the parsed values into queryset filters.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings


class BadValue(ValueError):
    """A parameter value that cannot be used; the message says why (shown in the OperationOutcome)."""


MAX_VALUE_LENGTH = 200


def split_or(value: str) -> list[str]:
    """Comma-separated alternatives (`a,b` = a OR b); `\\,` is a literal comma."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def checked(value: str) -> str:
    if len(value) > MAX_VALUE_LENGTH:
        raise BadValue(f"A value can be at most {MAX_VALUE_LENGTH} characters.")
    if not value.strip():
        raise BadValue("An alternative between commas is empty.")
    if any(ord(char) < 32 for char in value):
        raise BadValue("A value cannot contain control characters.")
    return value.strip()


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system; "": explicitly no system
    code: str


def parse_token(value: str) -> Token:
    """`code`, `system|code` or `|code` (FHIR token syntax)."""
    value = checked(value)
    if "|" not in value:
        return Token(system=None, code=value)
    system, _, code = value.partition("|")
    if not code:
        raise BadValue(f"“{value}” has a system but no code; write system|code.")
    return Token(system=system, code=code)


@dataclass(frozen=True)
class ReferenceValue:
    resource_type: str
    id: str


def parse_reference(value: str, *, target: str) -> ReferenceValue:
    """`Type/id`, a bare `id`, or an absolute URL ending in `Type/id`; the type must be `target`."""
    value = checked(value)
    parts = value.rstrip("/").split("/")
    if len(parts) == 1:
        return ReferenceValue(resource_type=target, id=parts[0])
    resource_type, resource_id = parts[-2], parts[-1]
    if resource_type != target:
        raise BadValue(f"“{value}” refers to a {resource_type}; this parameter refers to a {target}.")
    return ReferenceValue(resource_type=target, id=resource_id)


def parse_int_id(value: str) -> int | None:
    """The database id behind a FHIR id, or None for an id this server never issues (no match)."""
    return int(value) if re.fullmatch(r"[1-9][0-9]{0,17}", value) else None


def parse_boolean(value: str) -> bool:
    word = checked(value).lower()
    if word == "true":
        return True
    if word == "false":
        return False
    raise BadValue(f"“{value}” is not true or false.")


# ---------------------------------------------------------------- dates

DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
DATE_RE = re.compile(
    r"^(?P<year>[0-9]{4})(-(?P<month>[0-9]{2})(-(?P<day>[0-9]{2})"
    r"(T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(:(?P<second>[0-9]{2})(?P<fraction>\.[0-9]{1,6})?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)


@dataclass(frozen=True)
class DateRange:
    """A date search value: the prefix and the half-open range [start, end) its precision covers."""

    prefix: str
    start: datetime.datetime
    end: datetime.datetime


def parse_date(value: str) -> DateRange:
    value = checked(value)
    prefix = value[:2] if value[:2].isalpha() else "eq"
    text = value[2:] if value[:2].isalpha() else value
    if prefix == "ap":
        raise BadValue("The ap (approximately) prefix is not supported; use ge and le.")
    if prefix not in DATE_PREFIXES:
        raise BadValue(f"Unknown date prefix “{prefix}”; use one of {', '.join(DATE_PREFIXES)}.")
    # An unencoded "+" in a query string arrives as a space: "…T10:00 05:00" meant "…T10:00+05:00".
    text = re.sub(r"(T[0-9:.]+) ([0-9]{2}:[0-9]{2})$", r"\1+\2", text)
    match = DATE_RE.match(text)
    if not match:
        raise BadValue(f"“{text}” is not a FHIR date or dateTime (e.g. 2026, 2026-03, 2026-03-01, 2026-03-01T09:30Z).")
    parts = {name: int(found) for name, found in match.groupdict().items() if found and name not in ("tz", "fraction")}
    tz = _timezone(match["tz"])
    try:
        start = datetime.datetime(
            parts["year"],
            parts.get("month", 1),
            parts.get("day", 1),
            parts.get("hour", 0),
            parts.get("minute", 0),
            parts.get("second", 0),
            int(float(match["fraction"]) * 1_000_000) if match["fraction"] else 0,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise BadValue(f"“{text}” is not a real date or time ({exc}).") from None
    if "hour" in parts and match["tz"] is None:
        raise BadValue(f"“{text}” has a time but no time zone; add Z or an offset like -05:00.")
    return DateRange(prefix=prefix, start=start, end=_end_of_precision(start, parts, match["fraction"]))


def _timezone(text: str | None) -> datetime.tzinfo:
    if text is None:
        return ZoneInfo(settings.TIME_ZONE)  # a date without a time: the server's day
    if text == "Z":
        return datetime.UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise BadValue(f"“{text}” is not a time zone offset.")
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def _end_of_precision(start: datetime.datetime, parts: dict, fraction: str | None) -> datetime.datetime:
    if "second" in parts:
        step = datetime.timedelta(microseconds=10 ** (6 - len(fraction) + 1)) if fraction else None
        return start + (step or datetime.timedelta(seconds=1))
    if "minute" in parts:
        return start + datetime.timedelta(minutes=1)
    if "day" in parts:
        return start + datetime.timedelta(days=1)
    if "month" in parts:
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return start.replace(year=year, month=month)
    return start.replace(year=start.year + 1)


# ---------------------------------------------------------------- near

NEAR_UNITS = {"km": "km", "mi": "mi", "[mi_i]": "mi"}


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    distance: Decimal | None  # in `unit`; None: the server's default
    unit: str  # "km" or "mi"


def _number(text: str, what: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(f"The {what} “{text}” is not a number.") from None
    if not number.is_finite():
        raise BadValue(f"The {what} “{text}” is not a number.")
    return number


def parse_near(value: str) -> Near:
    """`latitude|longitude|distance|unit`; distance and unit are optional (unit default km, as in FHIR)."""
    value = checked(value)
    parts = value.split("|")
    if len(parts) < 2 or len(parts) > 4:
        raise BadValue(f"“{value}” is not latitude|longitude|distance|unit, e.g. 40.7506|-73.9972|10|mi.")
    latitude, longitude = _number(parts[0], "latitude"), _number(parts[1], "longitude")
    if not -90 <= latitude <= 90:
        raise BadValue(f"Latitude must be between -90 and 90, not {parts[0]}.")
    if not -180 <= longitude <= 180:
        raise BadValue(f"Longitude must be between -180 and 180, not {parts[1]}.")
    distance = _number(parts[2], "distance") if len(parts) > 2 and parts[2] != "" else None
    if distance is not None and distance <= 0:
        raise BadValue(f"The distance must be more than 0, not {parts[2]}.")
    unit_text = parts[3] if len(parts) > 3 and parts[3] != "" else "km"
    if unit_text not in NEAR_UNITS:
        raise BadValue(f"Unknown distance unit “{unit_text}”; use km or mi (or the UCUM [mi_i]).")
    return Near(latitude=float(latitude), longitude=float(longitude), distance=distance, unit=NEAR_UNITS[unit_text])
