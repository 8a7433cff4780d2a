"""Write a synthetic NPPES npidata_pfile CSV (exact 330-column layout) for timing `import_nppes`.

    .venv/bin/python bench/make_nppes_sample.py --rows 100000 --out /tmp/npidata_100k.csv
    /usr/bin/time -v .venv/bin/python manage.py import_nppes /tmp/npidata_100k.csv --no-progress

The mix follows the real file: about a fifth organisations, a few percent
deactivated NPIs, and mostly other professions; `--acupuncturist-share` sets the
fraction of rows that are individual acupuncturists (the real monthly file has
roughly 0.5%; a higher share makes the database side of the import work harder).
Deterministic for a given --seed. Every name and number is invented.
"""

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zipcodes

from practitioners.importers.nppes import ACUPUNCTURIST_TAXONOMY, NPPES_COLUMNS, build_row, with_check_digit

STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
OTHER_TAXONOMIES = ("207Q00000X", "111N00000X", "225100000X", "363L00000X", "1223G0001X", "225700000X", "2084P0800X")
ORG_TAXONOMIES = ("261QM1300X", "332B00000X", "3336C0003X", "282N00000X")
FIRST = [
    "JAMES",
    "MARY",
    "LINDA",
    "MICHAEL",
    "ANA",
    "WEI",
    "MEI",
    "JOSE",
    "MARIA",
    "DAVID",
    "SARAH",
    "KENJI",
    "PRIYA",
    "OMAR",
    "GRACE",
    "LIAM",
    "NOAH",
    "EMMA",
]
LAST = [
    "SMITH",
    "NGUYEN",
    "GARCIA",
    "CHEN",
    "KIM",
    "PATEL",
    "JOHNSON",
    "LEE",
    "BROWN",
    "RIVERA",
    "OKAFOR",
    "MULLER",
    "TANAKA",
    "COHEN",
    "SINGH",
    "LOPEZ",
]
STREETS = [
    "MAIN ST",
    "OAK AVE",
    "PINE ST",
    "MARKET ST",
    "2ND AVE",
    "BROADWAY",
    "ELM ST",
    "LAKE SHORE DR",
    "CEDAR LN",
    "PARK BLVD",
]


def zip_pool() -> dict[str, list[tuple[str, str]]]:
    pool: dict[str, list[tuple[str, str]]] = {state: [] for state in STATES}
    for row in zipcodes.list_all():
        if row["state"] in pool and row.get("lat"):
            pool[row["state"]].append((row["zip_code"], row["city"].upper()))
    return pool


def address(rng: random.Random, pool, state: str, kind: str) -> dict[str, str]:
    zip_code, city = rng.choice(pool[state])
    return {
        f"Provider First Line Business {kind} Address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        f"Provider Second Line Business {kind} Address": rng.choice(["", "", f"STE {rng.randint(100, 999)}"]),
        f"Provider Business {kind} Address City Name": city,
        f"Provider Business {kind} Address State Name": state,
        f"Provider Business {kind} Address Postal Code": zip_code + rng.choice(["", f"{rng.randint(0, 9999):04d}"]),
        f"Provider Business {kind} Address Country Code (If outside U.S.)": "US",
        f"Provider Business {kind} Address Telephone Number": f"{rng.randint(201, 989)}555{rng.randint(0, 9999):04d}",
    }


def make_row(rng: random.Random, pool, index: int, share: float) -> list[str]:
    npi = with_check_digit(f"1{index:08d}")
    state = rng.choice(STATES)
    dates = {"Provider Enumeration Date": "05/23/2007", "Last Update Date": "07/08/2025"}
    roll = rng.random()
    if roll < 0.03:  # deactivated: NPPES blanks everything else
        return build_row({"NPI": npi, "NPI Deactivation Date": "03/15/2021"})
    if roll < 0.03 + share:  # an acupuncturist, sometimes licensed in a second state
        values = {
            "NPI": npi,
            "Entity Type Code": "1",
            "Provider Last Name (Legal Name)": rng.choice(LAST),
            "Provider First Name": rng.choice(FIRST),
            "Provider Credential Text": rng.choice(["L.AC.", "LAC", "L.AC., DIPL. AC.", "DAOM", ""]),
            "Provider Sex Code": rng.choice("MF"),
            "Healthcare Provider Taxonomy Code_1": ACUPUNCTURIST_TAXONOMY,
            "Provider License Number_1": f"AC{index:07d}",
            "Provider License Number State Code_1": state,
            "Healthcare Provider Primary Taxonomy Switch_1": "Y",
            "Is Sole Proprietor": rng.choice("YN"),
            **dates,
            **address(rng, pool, state, "Mailing"),
            **address(rng, pool, state, "Practice Location"),
        }
        if rng.random() < 0.15:
            second = rng.choice(STATES)
            values.update(
                {
                    "Healthcare Provider Taxonomy Code_2": ACUPUNCTURIST_TAXONOMY,
                    "Provider License Number_2": f"L{index:07d}",
                    "Provider License Number State Code_2": second,
                    "Healthcare Provider Primary Taxonomy Switch_2": "N",
                }
            )
        return build_row(values)
    if roll < 0.23:  # an organisation
        return build_row(
            {
                "NPI": npi,
                "Entity Type Code": "2",
                "Provider Organization Name (Legal Business Name)": f"{rng.choice(LAST)} HEALTH GROUP LLC",
                "Employer Identification Number (EIN)": "<UNAVAIL>",
                "Healthcare Provider Taxonomy Code_1": rng.choice(ORG_TAXONOMIES),
                "Healthcare Provider Primary Taxonomy Switch_1": "Y",
                "Authorized Official Last Name": rng.choice(LAST),
                "Authorized Official First Name": rng.choice(FIRST),
                "Authorized Official Title or Position": "OWNER",
                "Authorized Official Telephone Number": "5555550100",
                **dates,
                **address(rng, pool, state, "Mailing"),
                **address(rng, pool, state, "Practice Location"),
            }
        )
    return build_row(  # another profession
        {
            "NPI": npi,
            "Entity Type Code": "1",
            "Provider Last Name (Legal Name)": rng.choice(LAST),
            "Provider First Name": rng.choice(FIRST),
            "Provider Credential Text": rng.choice(["MD", "DC", "PT", "RN", "LMT", "DDS"]),
            "Provider Sex Code": rng.choice("MF"),
            "Healthcare Provider Taxonomy Code_1": rng.choice(OTHER_TAXONOMIES),
            "Provider License Number_1": f"X{index:08d}",
            "Provider License Number State Code_1": state,
            "Healthcare Provider Primary Taxonomy Switch_1": "Y",
            "Other Provider Identifier_1": f"{index:09d}",
            "Other Provider Identifier Type Code_1": "05",
            "Other Provider Identifier State_1": state,
            **dates,
            **address(rng, pool, state, "Mailing"),
            **address(rng, pool, state, "Practice Location"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--acupuncturist-share", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = zip_pool()
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(NPPES_COLUMNS)
        for index in range(args.rows):
            writer.writerow(make_row(rng, pool, index, args.acupuncturist_share))
    size = args.out.stat().st_size
    print(f"Wrote {args.rows} rows ({size / 1_000_000:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
