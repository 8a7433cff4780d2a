"""Code systems, extension URLs and the mappings from Meridian's values to FHIR codes.

Every FHIR code the API emits or accepts is named here once; the builders and the
search parameters both read these tables, so a value written into a resource and the
value a search matches on cannot drift apart.
"""

from django.conf import settings

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json"

# ---------------------------------------------------------------- external systems

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
ACUPUNCTURIST_TAXONOMY = "171100000X"
ACUPUNCTURIST_DISPLAY = "Acupuncturist"
BCP47_SYSTEM = "urn:ietf:bcp:47"
USPS_STATE_SYSTEM = "https://www.usps.com/"
GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"
ORGANIZATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
LOCATION_DISTANCE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/location-distance"
UCUM_SYSTEM = "http://unitsofmeasure.org"

# ---------------------------------------------------------------- Da Vinci PDex Plan-Net (STU 1.x, FHIR R4)

PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
PRACTITIONER_QUALIFICATION_EXTENSION = f"{PLAN_NET}/StructureDefinition/practitioner-qualification"
QUALIFICATION_STATUS_SYSTEM = f"{PLAN_NET}/CodeSystem/QualificationStatusCS"
NEW_PATIENTS_EXTENSION = f"{PLAN_NET}/StructureDefinition/newpatients"
ACCEPTING_PATIENTS_SYSTEM = f"{PLAN_NET}/CodeSystem/AcceptingPatientsCS"
ACCESSIBILITY_EXTENSION = f"{PLAN_NET}/StructureDefinition/accessibility"
ACCESSIBILITY_SYSTEM = f"{PLAN_NET}/CodeSystem/AccessibilityCS"
ACCEPTING = "newpt"
NOT_ACCEPTING = "nopt"
ACCEPTING_DISPLAY = {ACCEPTING: "Accepting patients", NOT_ACCEPTING: "Not accepting patients"}
HANDICAP_ACCESSIBLE = "handiaccess"

# ---------------------------------------------------------------- NDH (National Directory), FHIR R4

NDH_VERIFICATION_STATUS_SYSTEM = "http://hl7.org/fhir/us/ndh/CodeSystem/NdhVerificationStatusCS"


# ---------------------------------------------------------------- Meridian's own definitions


def canonical(path: str) -> str:
    """A canonical URL under FHIR_CANONICAL_BASE (a name, not necessarily a resolvable address)."""
    return f"{settings.FHIR_CANONICAL_BASE.rstrip('/')}/{path}"


def verification_extension_url() -> str:
    return canonical("StructureDefinition/qualification-verification")


def verified_license_extension_url() -> str:
    return canonical("StructureDefinition/verified-license")


def qualification_system() -> str:
    return canonical("CodeSystem/qualification")


def verification_state_system() -> str:
    return canonical("CodeSystem/verification-state")


def license_number_system(state: str) -> str:
    return canonical(f"sid/license/{state}")


def nccaom_number_system() -> str:
    return canonical("sid/nccaom")


def search_parameter_url(name: str) -> str:
    return canonical(f"SearchParameter/{name}")


# Qualification codes (Meridian's code system). Certification and degree codes are the
# model's own choice values, so a new choice appears here without a second list.
STATE_LICENSE = "state-license"
STATE_REGISTRATION = "state-registration"  # a state that registers acupuncturists instead of licensing them

# Meridian verification state -> NDH verification status code (complete | incomplete).
NDH_STATUS = {
    "verified": "complete",
    "pending": "incomplete",
    "unverified": "incomplete",
    "rejected": "incomplete",
    "expired": "incomplete",
    "revoked": "incomplete",
}
NDH_DISPLAY = {"complete": "Complete", "incomplete": "Incomplete"}

# ---------------------------------------------------------------- gender

# Meridian's gender -> FHIR administrative gender. Non-binary and self-described identities
# are "other" in FHIR R4's required value set; an empty gender is left out of the resource.
GENDER_TO_FHIR = {"female": "female", "male": "male", "nonbinary": "other", "self": "other"}
FHIR_GENDERS = ("male", "female", "other", "unknown")

# ---------------------------------------------------------------- days of the week

# OpeningHours.weekday (0 = Monday) -> FHIR days-of-week code.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# ---------------------------------------------------------------- languages

# A reference code that is not the BCP-47 tag it is meant to be: "asl" is Asilulu in
# ISO 639-3; American Sign Language is "ase". Corrected on the way out, not in the data.
BCP47_CORRECTIONS = {"asl": "ase"}
