"""The CapabilityStatement, generated from the search declarations in `fhir.search`."""

import datetime

from . import codes
from .resources import compact
from .search import DEFAULT_COUNT, MAX_COUNT, MERIDIAN, RESOURCES

# When this statement's content last changed (a CapabilityStatement's `date`).
STATEMENT_DATE = datetime.date(2026, 12, 1)

CONTROL_DOCS = {  # one entry per fhir.search.CONTROL_PARAMS
    "_count": f"Results per page, 0–{MAX_COUNT} (default {DEFAULT_COUNT}; 0: only the total).",
    "_page": "Page number, from 1 (the Bundle's next/previous links carry it).",
    "_include": "See searchInclude.",
    "_revinclude": "See searchRevInclude.",
    "_format": "json, application/json or application/fhir+json (the only format).",
    "_pretty": "Accepted and ignored.",
    "_total": "Accepted; the total is always counted exactly.",
}


def capability_statement(*, base: str) -> dict:
    resources = []
    for definition in RESOURCES.values():
        params = [
            {
                "name": param.name,
                "definition": codes.search_parameter_url(param.name)
                if param.definition == MERIDIAN
                else param.definition,
                "type": param.type,
                "documentation": param.documentation
                + (f" Modifiers: {', '.join(':' + m for m in param.modifiers)}." if param.modifiers else ""),
            }
            for param in definition.params.values()
        ]
        resources.append(
            {
                "type": definition.type,
                "documentation": definition.documentation,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "versioning": "no-version",
                "readHistory": False,
                "updateCreate": False,
                "searchInclude": list(definition.includes),
                "searchRevInclude": list(definition.revincludes),
                "searchParam": params,
            }
        )
    return compact(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": STATEMENT_DATE.isoformat(),
            "publisher": "Meridian",
            "kind": "instance",
            "software": {"name": "Meridian"},
            "implementation": {"description": "Meridian provider directory (read-only)", "url": base},
            "fhirVersion": codes.FHIR_VERSION,
            "format": [codes.CONTENT_TYPE, "json"],
            "description": (
                "Read-only provider directory of licensed acupuncturists, shaped after the Da Vinci PDex "
                "Plan-Net and NDH implementation guides (no claim of conformance to their profiles). "
                "Each qualification carries Meridian's recorded verification (extension "
                f"{codes.verification_extension_url()}); search verified=true for listings with a verified "
                "current license in a state where they practise."
            ),
            "rest": [
                {
                    "mode": "server",
                    "documentation": "Unknown parameters, modifiers and malformed values are refused with 400 "
                    "and an OperationOutcome; unknown ids give 404. Only GET (and HEAD) is allowed.",
                    "security": {"cors": False, "description": "Public and read-only; no authentication."},
                    "resource": resources,
                    # Result parameters every search takes.
                    "searchParam": [
                        {
                            "name": name,
                            "type": "number" if name in ("_count", "_page") else "special",
                            "documentation": doc,
                        }
                        for name, doc in CONTROL_DOCS.items()
                    ],
                }
            ],
        }
    )
