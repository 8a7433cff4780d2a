"""schema.org structured data for a landing page: an ItemList of the acupuncturists it lists.

Each item is a Person (the acupuncturist) who works at a MedicalBusiness (the location the card
shows). Only what the card already shows is stated; the profile page carries the full record
(`practitioners.jsonld`), which the Person's `@id` names.
"""

from urllib.parse import urljoin

from practitioners.jsonld import medical_business, person_summary
from practitioners.models import Practitioner


def person_item(practitioner: Practitioner, base_url: str) -> dict:
    person = person_summary(practitioner, urljoin(base_url, practitioner.get_absolute_url()))
    location = getattr(practitioner, "nearest_location", None)
    if location is not None:
        person["worksFor"] = medical_business(practitioner, location)
    return person


def item_list_structured_data(*, name: str, url: str, practitioners: list[Practitioner]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": name,
        "url": url,
        "numberOfItems": len(practitioners),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "item": person_item(practitioner, url)}
            for position, practitioner in enumerate(practitioners, start=1)
        ],
    }
