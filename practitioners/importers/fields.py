"""Field-level parsing shared by the importers: dates, ZIPs, phones, names, lengths."""

import datetime
import re
import unicodedata

# Date formats we accept, tried in this order. US month-first formats only: boards
# and NPPES publish US dates, so 03/04/2025 is March 4th.
DATE_FORMATS = (
    "%Y-%m-%d",  # 2025-10-31 (ISO)
    "%Y-%m-%dT%H:%M:%S",  # 2025-10-31T00:00:00 (open-data portals; fractions are cut first)
    "%m/%d/%Y",  # 10/31/2025 (NPPES, most boards)
    "%m/%d/%y",  # 10/31/25
    "%m-%d-%Y",  # 10-31-2025
    "%Y/%m/%d",  # 2025/10/31
    "%Y%m%d",  # 20251031
    "%d-%b-%Y",  # 31-Oct-2025
    "%b %d, %Y",  # Oct 31, 2025
    "%B %d, %Y",  # October 31, 2025
)
DATE_FORMATS_HELP = "YYYY-MM-DD, MM/DD/YYYY, MM/DD/YY, MM-DD-YYYY, YYYY/MM/DD, YYYYMMDD, 31-Oct-2025, Oct 31, 2025"
_FRACTION = re.compile(r"(T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_date(text: str) -> datetime.date | None:
    """A date in one of `DATE_FORMATS`; None for an empty value. ValueError names the bad value."""
    value = (text or "").strip()
    if not value:
        return None
    value = _FRACTION.sub(r"\1", value)
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise ValueError(f"date “{value[:40]}” is not in a known format ({DATE_FORMATS_HELP})")


def zip5(text: str) -> str | None:
    """The 5-digit ZIP of a ZIP or ZIP+4 ("972011234", "97201-1234"); None if it is not one."""
    digits = (text or "").strip().replace("-", "")
    if len(digits) in (5, 9) and digits.isdigit():
        return digits[:5]
    return None


def format_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return (text or "").strip()


def tidy_name(text: str) -> str:
    """Collapse whitespace; registry names in ALL CAPS become Title Case ("O'BRIEN" → "O'Brien")."""
    value = " ".join((text or "").split())
    if value.isupper():
        value = value.title()
    return value


_KEEP_UPPER = frozenset({"N", "S", "E", "W", "NE", "NW", "SE", "SW", "PO", "US", "II", "III", "IV"})


def tidy_address(text: str) -> str:
    """Collapse whitespace; ALL CAPS addresses become readable ("1234 SW MAIN ST" → "1234 SW Main St",
    "1500 4TH AVE" → "1500 4th Ave")."""
    value = " ".join((text or "").split())
    if not value.isupper():
        return value
    words = []
    for word in value.split(" "):
        if word in _KEEP_UPPER:
            words.append(word)
        elif any(char.isdigit() for char in word):
            words.append(word.lower())
        else:
            words.append(word.title())
    return " ".join(words)


def name_tokens(text: str) -> list[str]:
    """Lower-case ASCII letter runs of a name, for comparisons ("José O'Brien-Li" → jose, obrien, li)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return [t for t in re.split(r"[^a-z]+", ascii_text.lower().replace("'", "")) if t]


def too_long(values: dict[str, str], limits: dict[str, int]) -> list[str]:
    """Problems for values over their limit or containing NUL bytes (which PostgreSQL refuses)."""
    problems = []
    for name, value in values.items():
        if "\x00" in value:
            problems.append(f"{name} contains a NUL byte")
        limit = limits.get(name)
        if limit is not None and len(value) > limit:
            problems.append(f"{name} is {len(value):,} characters long (at most {limit} accepted)")
    return problems
