"""The NPPES monthly "npidata_pfile" CSV: which rows we keep and what we take from them.

Layout: one row per NPI, 330 columns in the order of `NPPES_COLUMNS` (CMS's
data dissemination file; the sample in fixtures/nppes/ and bench/make_nppes_sample.py
use the same list). We keep individual providers (`Entity Type Code` 1) with the
Acupuncturist taxonomy 171100000X in any of the 15 taxonomy slots, and skip
deactivated NPIs (deactivated and not reactivated since).

From each kept row: name, credential text, sex/gender, the practice location
(first line, city, state, the first 5 digits of the postal code, phone) and every
license number in a slot whose taxonomy is 171100000X. Licenses in other slots
belong to the provider's other professions (a chiropractor's license is not an
acupuncture license), so they are not imported.
"""

import datetime
from dataclasses import dataclass

from .. import geo
from .fields import format_phone, parse_date, tidy_address, tidy_name, too_long, zip5

ACUPUNCTURIST_TAXONOMY = "171100000X"
INDIVIDUAL = "1"
SLOTS = range(1, 16)


def _slot_columns() -> list[str]:
    columns = []
    for n in SLOTS:
        columns += [
            f"Healthcare Provider Taxonomy Code_{n}",
            f"Provider License Number_{n}",
            f"Provider License Number State Code_{n}",
            f"Healthcare Provider Primary Taxonomy Switch_{n}",
        ]
    return columns


def _other_identifier_columns() -> list[str]:
    columns = []
    for n in range(1, 51):
        columns += [
            f"Other Provider Identifier_{n}",
            f"Other Provider Identifier Type Code_{n}",
            f"Other Provider Identifier State_{n}",
            f"Other Provider Identifier Issuer_{n}",
        ]
    return columns


def _address_columns(kind: str) -> list[str]:
    return [
        f"Provider First Line Business {kind} Address",
        f"Provider Second Line Business {kind} Address",
        f"Provider Business {kind} Address City Name",
        f"Provider Business {kind} Address State Name",
        f"Provider Business {kind} Address Postal Code",
        f"Provider Business {kind} Address Country Code (If outside U.S.)",
        f"Provider Business {kind} Address Telephone Number",
        f"Provider Business {kind} Address Fax Number",
    ]


# The full header of npidata_pfile, in order (330 columns).
NPPES_COLUMNS: list[str] = [
    "NPI",
    "Entity Type Code",
    "Replacement NPI",
    "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Middle Name",
    "Provider Name Prefix Text",
    "Provider Name Suffix Text",
    "Provider Credential Text",
    "Provider Other Organization Name",
    "Provider Other Organization Name Type Code",
    "Provider Other Last Name",
    "Provider Other First Name",
    "Provider Other Middle Name",
    "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text",
    "Provider Other Credential Text",
    "Provider Other Last Name Type Code",
    *_address_columns("Mailing"),
    *_address_columns("Practice Location"),
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Reason Code",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Provider Sex Code",
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Telephone Number",
    *_slot_columns(),
    *_other_identifier_columns(),
    "Is Sole Proprietor",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Parent Organization TIN",
    "Authorized Official Name Prefix Text",
    "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
    *[f"Healthcare Provider Taxonomy Group_{n}" for n in SLOTS],
    "Certification Date",
]

# Older files call the sex column "Provider Gender Code"; either is accepted.
SEX_COLUMNS = ("Provider Sex Code", "Provider Gender Code")
REQUIRED_COLUMNS = [
    "NPI",
    "Entity Type Code",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Credential Text",
    "Provider First Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Telephone Number",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    *[f"Healthcare Provider Taxonomy Code_{n}" for n in SLOTS],
    *[f"Provider License Number_{n}" for n in SLOTS],
    *[f"Provider License Number State Code_{n}" for n in SLOTS],
]

# Longest values the listing accepts (Practitioner / PracticeLocation / License fields).
LIMITS = {
    "Provider First Name": 95,
    "Provider Last Name (Legal Name)": 100,
    "Provider Credential Text": 100,
    "Provider First Line Business Practice Location Address": 200,
    "Provider Business Practice Location Address City Name": 100,
    "Provider License Number": 40,
    "Provider Business Practice Location Address Telephone Number": 30,
}


@dataclass(frozen=True)
class Columns:
    """Positions of the columns we read, resolved once from the header."""

    index: dict[str, int]
    sex: int | None
    taxonomy: tuple[int, ...]
    license_number: tuple[int, ...]
    license_state: tuple[int, ...]
    width: int

    def get(self, row: list[str], name: str) -> str:
        return row[self.index[name]].strip()


def resolve_columns(header: list[str]) -> Columns:
    """Raises csvfile.HeaderError naming the missing columns."""
    from .csvfile import header_index

    index = header_index(header, REQUIRED_COLUMNS)
    lowered = [name.strip().lower() for name in header]
    sex = next((lowered.index(c.lower()) for c in SEX_COLUMNS if c.lower() in lowered), None)
    return Columns(
        index=index,
        sex=sex,
        taxonomy=tuple(index[f"Healthcare Provider Taxonomy Code_{n}"] for n in SLOTS),
        license_number=tuple(index[f"Provider License Number_{n}"] for n in SLOTS),
        license_state=tuple(index[f"Provider License Number State Code_{n}"] for n in SLOTS),
        width=len(header),
    )


def npi_is_valid(npi: str) -> bool:
    """10 digits with a valid check digit (Luhn over the number prefixed with 80840)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the constant contribution of the 80840 prefix
    for i, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if i % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


@dataclass(frozen=True)
class NppesLicense:
    state: str
    number: str


@dataclass(frozen=True)
class NppesLocation:
    street: str
    city: str
    state: str
    zip_code: str
    latitude: float | None
    longitude: float | None
    phone: str


@dataclass(frozen=True)
class NppesRecord:
    line: int
    npi: str
    name: str
    display_credentials: str
    gender: str
    phone: str
    location: NppesLocation | None
    licenses: tuple[NppesLicense, ...]


def skip_reason(row: list[str], cols: Columns) -> str | None:
    """Why a row is not an active individual acupuncturist (cheap: checked before parsing), or None."""
    if row[cols.index["Entity Type Code"]].strip() != INDIVIDUAL:
        # Deactivated NPIs carry no entity type at all; count them as deactivated.
        return "deactivated" if row[cols.index["NPI Deactivation Date"]].strip() else "not an individual"
    if not any(row[i].strip() == ACUPUNCTURIST_TAXONOMY for i in cols.taxonomy):
        return "not an acupuncturist"
    return None


def is_deactivated(deactivated: datetime.date | None, reactivated: datetime.date | None) -> bool:
    return deactivated is not None and (reactivated is None or reactivated < deactivated)


GENDERS = {"M": "male", "F": "female"}


def parse_record(
    row: list[str], cols: Columns, *, line: int, states: frozenset[str]
) -> tuple[NppesRecord | None, list[str], str | None]:
    """(record or None, problems, skip reason). A row with problems that make it unusable
    gives no record; smaller problems (an unknown ZIP) are reported and the rest is kept."""
    problems: list[str] = []
    npi = cols.get(row, "NPI")
    if not npi_is_valid(npi):
        return None, [f"NPI “{npi[:20]}” is not a valid 10-digit NPI; row skipped."], None
    try:
        deactivated = parse_date(cols.get(row, "NPI Deactivation Date"))
        reactivated = parse_date(cols.get(row, "NPI Reactivation Date"))
    except ValueError as exc:
        return None, [f"NPI {npi}: deactivation {exc}; row skipped."], None
    if is_deactivated(deactivated, reactivated):
        return None, [], "deactivated"

    first = cols.get(row, "Provider First Name")
    last = cols.get(row, "Provider Last Name (Legal Name)")
    credential_text = cols.get(row, "Provider Credential Text")
    street = cols.get(row, "Provider First Line Business Practice Location Address")
    city = cols.get(row, "Provider Business Practice Location Address City Name")
    phone_raw = cols.get(row, "Provider Business Practice Location Address Telephone Number")
    refused = too_long(
        {
            "Provider First Name": first,
            "Provider Last Name (Legal Name)": last,
            "Provider Credential Text": credential_text,
            "Provider First Line Business Practice Location Address": street,
            "Provider Business Practice Location Address City Name": city,
            "Provider Business Practice Location Address Telephone Number": phone_raw,
        },
        LIMITS,
    )
    if refused:
        return None, [f"NPI {npi}: {'; '.join(refused)}; row skipped."], None
    if not last:
        return None, [f"NPI {npi}: no last name; row skipped."], None
    name = tidy_name(f"{first} {last}")
    phone = format_phone(phone_raw)

    location = None
    state = cols.get(row, "Provider Business Practice Location Address State Name").upper()
    raw_zip = cols.get(row, "Provider Business Practice Location Address Postal Code")
    zip_code = zip5(raw_zip)
    if state not in states:
        problems.append(f"NPI {npi}: practice state “{state[:20]}” is not a US state we list; location not imported.")
    elif zip_code is None:
        problems.append(f"NPI {npi}: postal code “{raw_zip[:20]}” is not a US ZIP; location not imported.")
    elif not city:
        problems.append(f"NPI {npi}: practice address has no city; location not imported.")
    else:
        place = geo.zip_place(zip_code)
        if place is None:
            problems.append(f"NPI {npi}: ZIP {zip_code} does not exist; location imported without map position.")
        location = NppesLocation(
            street=tidy_address(street),
            city=tidy_name(city),
            state=state,
            zip_code=zip_code,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            phone=phone,
        )

    licenses: list[NppesLicense] = []
    for taxonomy, number_i, state_i in zip(cols.taxonomy, cols.license_number, cols.license_state, strict=True):
        if row[taxonomy].strip() != ACUPUNCTURIST_TAXONOMY:
            continue
        number = " ".join(row[number_i].split())
        license_state = row[state_i].strip().upper()
        if not number:
            continue
        if len(number) > LIMITS["Provider License Number"] or "\x00" in number:
            problems.append(f"NPI {npi}: license number “{number[:20]}…” is too long; license not imported.")
        elif license_state not in states:
            problems.append(
                f"NPI {npi}: license {number} has state “{license_state[:20]}”, not a US state we list; "
                "license not imported."
            )
        elif (found := NppesLicense(state=license_state, number=number)) not in licenses:
            licenses.append(found)

    sex = row[cols.sex].strip().upper() if cols.sex is not None else ""
    record = NppesRecord(
        line=line,
        npi=npi,
        name=name,
        display_credentials=credential_text,
        gender=GENDERS.get(sex, ""),
        phone=phone,
        location=location,
        licenses=tuple(licenses),
    )
    return record, problems, None


def build_row(values: dict[str, str]) -> list[str]:
    """A row in the NPPES layout with the given columns filled and the rest empty
    (for the synthetic sample, the benchmark generator and tests)."""
    unknown = set(values) - set(NPPES_COLUMNS)
    if unknown:
        raise KeyError(f"Not NPPES columns: {sorted(unknown)}")
    return [values.get(name, "") for name in NPPES_COLUMNS]


def with_check_digit(first_nine: str) -> str:
    """Complete a 9-digit NPI stem with its Luhn check digit (for synthetic data)."""
    for digit in "0123456789":
        if npi_is_valid(first_nine + digit):
            return first_nine + digit
    raise ValueError(first_nine)
