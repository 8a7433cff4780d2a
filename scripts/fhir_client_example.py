"""A real FHIR client (fhirpy) asking a running Meridian server one question:

    verified acupuncturists within 10 miles of ZIP 10001 who accept new patients

in one standard search (PractitionerRole, chained `location.near`, `verified`, `new-patient`,
with the practitioners and locations included). It uses nothing of Meridian's code: only fhirpy
and the `zipcodes` package for the ZIP's centre, as any client could.

    .venv/bin/python manage.py runserver            # in one terminal (demo data: manage.py seed_demo)
    .venv/bin/python scripts/fhir_client_example.py [--base http://127.0.0.1:8000/fhir] [--zip 10001] [--miles 10]
"""

import argparse

import zipcodes
from fhirpy import SyncFHIRClient
from fhirpy.base.utils import encode_params

DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"


def verified_on(practitioner: dict) -> list[str]:
    """Each qualification Meridian staff verified, with the date of the check."""
    found = []
    for qualification in practitioner.get("qualification", []):
        for extension in qualification.get("extension", []):
            if not extension["url"].endswith("/qualification-verification"):
                continue
            parts = {item["url"]: item for item in extension["extension"]}
            codes = {c["code"] for c in parts["status"]["valueCodeableConcept"]["coding"]}
            if "verified" in codes and "date" in parts:
                found.append(f"{qualification['code']['text']} (verified {parts['date']['valueDateTime'][:10]})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000/fhir")
    parser.add_argument("--zip", default="10001")
    parser.add_argument("--miles", type=float, default=10)
    args = parser.parse_args()

    (place,) = zipcodes.matching(args.zip)
    near = f"{place['lat']}|{place['long']}|{args.miles:g}|mi"
    client = SyncFHIRClient(args.base)
    search = (
        client.resources("PractitionerRole")
        .search(location__near=near, verified="true", new_patient="newpt")
        .include("PractitionerRole", "practitioner")
        .include("PractitionerRole", "location")
        .limit(20)
    )
    print(f"GET {args.base}/PractitionerRole?{encode_params(search.params)}")
    bundle = search.fetch_raw()
    resources = {(e["resource"]["resourceType"], e["resource"]["id"]): e for e in bundle.get("entry", [])}
    print(f"{bundle['total']} verified acupuncturists accepting new patients within {args.miles:g} mi of {args.zip}")
    for entry in bundle.get("entry", []):
        if entry["search"]["mode"] != "match":
            continue
        role = entry["resource"]
        miles = next(x["valueDistance"]["value"] for x in entry["search"]["extension"] if x["url"] == DISTANCE)
        practitioner = resources[tuple(role["practitioner"]["reference"].split("/"))]["resource"]
        location = resources[tuple(role["location"][0]["reference"].split("/"))]["resource"]
        address = location["address"]
        phone = next((t["value"] for t in role.get("telecom", []) if t["system"] == "phone"), "no phone")
        print(f"- {practitioner['name'][0]['text']}, {miles:.1f} mi: {location['name']}, {address['line'][0]},")
        print(f"    {address['city']}, {address['state']} {address['postalCode']}; {phone}")
        for license in verified_on(practitioner):
            print(f"    {license}")
    next_page = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    if next_page:
        print(f"more: {next_page}")


if __name__ == "__main__":
    main()
