"""schema.org structured data for a profile (a pure function of an already-loaded listing)."""

import json
from urllib.parse import urljoin

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from .models import Practitioner

# Characters that could end the <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SCHEMA_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def json_for_script(data: dict) -> SafeString:
    """JSON safe to place inside a <script> element (the escaping `json_script` uses)."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def person_summary(practitioner: Practitioner, url: str) -> dict:
    """The acupuncturist as a schema.org Person: name, profile address, title (what every mention states)."""
    person: dict = {
        "@type": "Person",
        "@id": f"{url}#person",
        "name": practitioner.name,
        "url": url,
        "jobTitle": "Acupuncturist",
    }
    if practitioner.display_credentials:
        person["honorificSuffix"] = practitioner.display_credentials
    return person


def profile_structured_data(practitioner: Practitioner, url: str) -> dict:
    """A schema.org Person (the acupuncturist) who works at one MedicalBusiness per location.

    Only facts Meridian verified are stated as credentials: current licenses and
    certifications. Uses the profile selector's prefetched relations (no query).
    """
    data: dict = {"@context": "https://schema.org", **person_summary(practitioner, url)}
    if practitioner.bio:
        data["description"] = practitioner.bio[:500]
    if practitioner.photo:
        data["image"] = urljoin(url, practitioner.photo.url)
    languages = [language.name for language in practitioner.languages.all()]
    if languages:
        data["knowsLanguage"] = languages
    conditions = [condition.name for condition in practitioner.conditions.all()]
    if conditions:
        data["knowsAbout"] = conditions
    credentials = [
        {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": lic.state.credential_noun,
            "name": f"{lic.title} {lic.state.credential_noun}, {lic.state.state_name}",
            "recognizedBy": {"@type": "Organization", "name": lic.state.board_name},
            **({"validUntil": lic.expiry_date.isoformat()} if lic.expiry_date else {}),
        }
        for lic in practitioner.licenses.all()
        # A number in a state that issues no acupuncture credential is not one.
        if lic.is_current() and lic.state.issues_credentials
    ] + [
        {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "certification",
            "name": cert.get_cert_type_display(),
            "recognizedBy": {"@type": "Organization", "name": "NCCAOM"},
            **({"validUntil": cert.expiry_date.isoformat()} if cert.expiry_date else {}),
        }
        for cert in practitioner.certifications.all()
        if cert.is_current()
    ]
    if credentials:
        data["hasCredential"] = credentials
    places = [_location_data(practitioner, location) for location in practitioner.locations.all()]
    if places:
        data["worksFor"] = places
    return data


def medical_business(practitioner: Practitioner, location) -> dict:
    """A practice location as a schema.org MedicalBusiness: name, address, coordinates, phone (no query)."""
    place: dict = {
        "@type": "MedicalBusiness",
        "name": location.name or practitioner.name,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": location.city,
            "addressRegion": location.state_id,
            "postalCode": location.zip_code,
            "addressCountry": "US",
            **({"streetAddress": location.street} if location.street else {}),
        },
    }
    if location.latitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": location.latitude, "longitude": location.longitude}
    if location.phone or practitioner.phone:
        place["telephone"] = location.phone or practitioner.phone
    return place


def _location_data(practitioner: Practitioner, location) -> dict:
    place = medical_business(practitioner, location)
    hours = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{SCHEMA_WEEKDAYS[slot.weekday]}",
            "opens": slot.opens.strftime("%H:%M"),
            "closes": slot.closes.strftime("%H:%M"),
        }
        for slot in location.hours.all()
    ]
    if hours:
        place["openingHoursSpecification"] = hours
    if practitioner.first_visit_fee is not None:
        place["priceRange"] = f"${practitioner.first_visit_fee:.0f} first visit"
    return place


def profile_json_ld(practitioner: Practitioner, url: str) -> SafeString:
    return json_for_script(profile_structured_data(practitioner, url))
