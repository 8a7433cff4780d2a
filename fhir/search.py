"""What each FHIR resource type can be searched by, and how a search runs.

Each search parameter is declared once (`SearchParam`): its name, type, documentation,
the canonical SearchParameter it follows, and the filter it applies. The CapabilityStatement
is generated from the same declarations, so what /fhir/metadata promises is what the
search accepts; anything else is refused with a 400 OperationOutcome.

The rules behind the filters are the directory's own: "verified" and "accepting new
patients" are `flag_q` from the directory search (the same expressions as the badges and
the HTML/JSON search), distance is `PracticeLocation.objects.within` (the bounding box and
great-circle test the directory search uses), radius limits are the search's, and
qualification codes are the credential models' own choice values.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from practitioners import geo
from practitioners.models import (
    Certification,
    CertificationType,
    Degree,
    DegreeType,
    License,
    PracticeLocation,
    Practitioner,
    StateBoard,
)
from search.filters import DEFAULT_RADIUS, MAX_RADIUS, flag_q

from . import codes
from .params import (
    BadValue,
    Near,
    Token,
    checked,
    parse_boolean,
    parse_date,
    parse_int_id,
    parse_near,
    parse_reference,
    parse_token,
    split_or,
)

DEFAULT_COUNT = 20
MAX_COUNT = 100
STRING_MODIFIERS = ("exact", "contains")


@dataclass(frozen=True)
class Issue:
    """One OperationOutcome issue: FHIR issue type code, the message, the parameter it is about."""

    code: str
    diagnostics: str
    expression: str | None = None


class SearchError(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(issue.diagnostics for issue in issues))
        self.issues = issues


@dataclass
class Context:
    """What a filter may need besides its values."""

    today: datetime.date
    near: Near | None = None  # set by a near parameter; the search then orders by distance


FilterFunc = Callable[[QuerySet, list[str], str | None, Context], QuerySet]


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: string, token, reference, date, special
    documentation: str
    apply: FilterFunc  # (queryset, OR-alternatives, modifier, context) -> queryset
    definition: str | None = None  # canonical URL of the SearchParameter it implements
    modifiers: tuple[str, ...] = ()
    repeatable: bool = True  # may appear more than once (AND)
    alternatives: bool = True  # may hold comma-separated alternatives (OR)


# ---------------------------------------------------------------- shared filters


def _any(alternatives: list[Q]) -> Q:
    combined = Q(pk__in=[])
    for alternative in alternatives:
        combined |= alternative
    return combined


def _ids(values: list[str]) -> list[int]:
    return [found for found in (parse_int_id(value) for value in values) if found is not None]


def filter_id(queryset, values, modifier, context):
    return queryset.filter(pk__in=_ids(values))


def _word_regex(value: str, modifier: str | None, *, position: str) -> tuple[str, str] | None:
    """(lookup, pattern) matching `value` against one word of a space-separated name.

    position: "any" word, "last" word (family), or "not_last" (given). FHIR string search
    matches the start of a word, case-insensitively; `:exact` the whole word, case-sensitively;
    `:contains` anywhere in the word."""
    if re.search(r"\s", value):
        return None
    escaped = re.escape(value)
    after = {"any": "", "last": r"\S*$", "not_last": r"\S*\s"}[position]
    if modifier == "exact":
        after = {"any": r"(\s|$)", "last": "$", "not_last": r"\s"}[position]
        return "regex", rf"(^|\s){escaped}{after}"
    if modifier == "contains":
        return "iregex", rf"{escaped}{after}"
    return "iregex", rf"(^|\s){escaped}{after}"


def string_filter(field_name: str, *, position: str = "any", whole_field: bool = True) -> FilterFunc:
    def apply(queryset, values, modifier, context):
        alternatives = []
        for value in values:
            found = _word_regex(value, modifier, position=position)
            if found is not None:
                lookup, pattern = found
                alternatives.append(Q(**{f"{field_name}__{lookup}": pattern}))
            if whole_field and position == "any":
                lookup = {"exact": "exact", "contains": "icontains"}.get(modifier or "", "istartswith")
                alternatives.append(Q(**{f"{field_name}__{lookup}": value}))
        return queryset.filter(_any(alternatives))

    return apply


def boolean_flag_filter(flag: str, *, practitioner_path: str = "pk") -> FilterFunc:
    """A yes/no fact of the listing, with the directory search's own definition (`flag_q`)."""

    def apply(queryset, values, modifier, context):
        wanted = {parse_boolean(value) for value in values}
        if wanted == {True, False}:
            return queryset
        having = Practitioner.objects.filter(flag_q(flag, context.today)).values("pk")
        condition = Q(**{f"{practitioner_path}__in": having})
        return queryset.filter(condition if True in wanted else ~condition)

    return apply


def _near_miles(near: Near) -> float:
    """The radius in miles; without a distance, the directory search's default radius."""
    if near.distance is None:
        return float(DEFAULT_RADIUS)
    miles = float(near.distance) if near.unit == "mi" else geo.km_to_miles(float(near.distance))
    if miles > MAX_RADIUS:
        raise BadValue(
            f"The distance can be at most {MAX_RADIUS} mi ({geo.miles_to_km(MAX_RADIUS):.1f} km), "
            f"not {near.distance} {near.unit}."
        )
    return miles


def near_filter(location_path: str) -> FilterFunc:
    """Rows whose location (`location_path`: "pk" for Location, the role's own location) is
    within the distance of the point; records the point so results come nearest first."""

    def apply(queryset, values, modifier, context):
        near = parse_near(values[0])
        miles = _near_miles(near)
        inside = PracticeLocation.objects.within(near.latitude, near.longitude, miles).values("pk")
        context.near = near
        return queryset.filter(**{f"{location_path}__in": inside})

    return apply


def reference_filter(target: str, column: str) -> FilterFunc:
    def apply(queryset, values, modifier, context):
        if modifier not in (None, target):
            raise BadValue(f"The only type this parameter refers to is {target}.")
        ids = _ids([parse_reference(value, target=target).id for value in values])
        return queryset.filter(**{f"{column}__in": ids})

    return apply


# ---------------------------------------------------------------- Practitioner


def qualification_codes() -> dict[str, str]:
    """Meridian's qualification codes (code -> display): the state license, then the
    certification and degree choices of the credential models."""
    return {
        codes.STATE_LICENSE: "State acupuncture license",
        codes.STATE_REGISTRATION: "State acupuncture registration",
        **{choice.value: choice.label for choice in CertificationType},
        **{choice.value: choice.label for choice in DegreeType},
    }


def _qualification_q(token: Token) -> Q:
    licensed = Exists(License.objects.filter(practitioner_id=OuterRef("pk")))
    meridian = token.system in (None, codes.qualification_system())
    if token.system in (None, codes.NUCC_SYSTEM) and token.code == codes.ACUPUNCTURIST_TAXONOMY:
        return Q(licensed)
    if meridian and token.code in (codes.STATE_LICENSE, codes.STATE_REGISTRATION):
        regulation = (
            StateBoard.Regulation.REGISTRATION
            if token.code == codes.STATE_REGISTRATION
            else StateBoard.Regulation.LICENSE
        )
        return Q(Exists(License.objects.filter(practitioner_id=OuterRef("pk"), state__regulation=regulation)))
    if meridian and token.code in CertificationType.values:
        return Q(Exists(Certification.objects.filter(practitioner_id=OuterRef("pk"), cert_type=token.code)))
    if meridian and token.code in DegreeType.values:
        return Q(Exists(Degree.objects.filter(practitioner_id=OuterRef("pk"), degree=token.code)))
    return Q(pk__in=[])


def filter_qualification_code(queryset, values, modifier, context):
    return queryset.filter(_any([_qualification_q(parse_token(value)) for value in values]))


BOARD_ID = re.compile(r"^board-(?P<state>[A-Z]{2})$")
SCHOOL_ID = re.compile(r"^school-(?P<pk>[1-9][0-9]{0,17})$")
NCCAOM_ID = "nccaom"


def _issuer_q(organization_id: str) -> Q:
    if board := BOARD_ID.match(organization_id):
        return Q(Exists(License.objects.filter(practitioner_id=OuterRef("pk"), state_id=board["state"])))
    if school := SCHOOL_ID.match(organization_id):
        return Q(Exists(Degree.objects.filter(practitioner_id=OuterRef("pk"), school_id=int(school["pk"]))))
    if organization_id == NCCAOM_ID:
        return Q(Exists(Certification.objects.filter(practitioner_id=OuterRef("pk"))))
    return Q(pk__in=[])


def filter_qualification_issuer(queryset, values, modifier, context):
    if modifier not in (None, "Organization"):
        raise BadValue("The only type this parameter refers to is Organization.")
    return queryset.filter(_any([_issuer_q(parse_reference(value, target="Organization").id) for value in values]))


def filter_gender(queryset, values, modifier, context):
    alternatives = []
    for value in values:
        token = parse_token(value)
        if token.system not in (None, codes.GENDER_SYSTEM) or token.code not in codes.FHIR_GENDERS:
            raise BadValue(f"Unknown gender “{value}”; use male, female, other or unknown.")
        if token.code == "unknown":
            alternatives.append(Q(gender=""))
        else:
            ours = [mine for mine, theirs in codes.GENDER_TO_FHIR.items() if theirs == token.code]
            alternatives.append(Q(gender__in=ours))
    return queryset.filter(_any(alternatives))


def practitioner_last_updated():
    """When the Practitioner resource last changed: the listing or any of its credentials.
    (Review counts are not part of the resource; they do not touch `updated_at`.)"""
    latest = [
        Coalesce(
            Subquery(
                model.objects.filter(practitioner_id=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
            ),
            F("updated_at"),
        )
        for model in (License, Certification, Degree)
    ]
    return Greatest(F("updated_at"), *latest)


def filter_last_updated(queryset, values, modifier, context):
    if len(values) > 1:
        raise BadValue("Give one date per _lastUpdated; repeat the parameter for a range (ge… and lt…).")
    when = parse_date(values[0])
    within = Q(last_updated__gte=when.start, last_updated__lt=when.end)
    condition = {
        "eq": within,
        "ne": ~within,
        "gt": Q(last_updated__gte=when.end),
        "sa": Q(last_updated__gte=when.end),
        "ge": Q(last_updated__gte=when.start),
        "lt": Q(last_updated__lt=when.start),
        "eb": Q(last_updated__lt=when.start),
        "le": Q(last_updated__lt=when.end),
    }[when.prefix]
    return queryset.alias(last_updated=practitioner_last_updated()).filter(condition)


# ---------------------------------------------------------------- PractitionerRole


def filter_specialty(queryset, values, modifier, context):
    tokens = [parse_token(value) for value in values]
    if any(t.system in (None, codes.NUCC_SYSTEM) and t.code == codes.ACUPUNCTURIST_TAXONOMY for t in tokens):
        return queryset  # every role here is an acupuncturist's
    return queryset.none()


def filter_new_patient(queryset, values, modifier, context):
    accepting = set()
    for value in values:
        token = parse_token(value)
        if token.system not in (None, codes.ACCEPTING_PATIENTS_SYSTEM):
            raise BadValue(f"Use a code of {codes.ACCEPTING_PATIENTS_SYSTEM}, not {token.system}.")
        if token.code not in ("newpt", "nopt", "existptonly", "existptfam"):
            raise BadValue(f"Unknown code “{token.code}”; use newpt (accepting) or nopt (not accepting).")
        if token.code in (codes.ACCEPTING, codes.NOT_ACCEPTING):
            accepting.add(token.code == codes.ACCEPTING)
        # existptonly / existptfam: Meridian does not record these, so they match no one.
    if accepting == {True, False}:
        return queryset
    if not accepting:
        return queryset.none()
    having = Practitioner.objects.filter(flag_q("new_patients", context.today)).values("pk")
    return (
        queryset.filter(practitioner_id__in=having)
        if True in accepting
        else queryset.exclude(practitioner_id__in=having)
    )


# ---------------------------------------------------------------- Location


def address_filter(queryset, values, modifier, context):
    alternatives = []
    for value in values:
        lookup = {"exact": "exact", "contains": "icontains"}.get(modifier or "", "istartswith")
        alternatives += [
            Q(**{f"city__{lookup}": value}),
            Q(**{f"state__state__{lookup}": value}),
            Q(**{f"state__state_name__{lookup}": value}),
            Q(**{f"zip_code__{lookup}": value}),
        ]
        found = _word_regex(value, modifier, position="any")
        if found is not None:
            alternatives.append(Q(**{f"street__{found[0]}": found[1]}))
    return queryset.filter(_any(alternatives))


def field_filter(field_name: str) -> FilterFunc:
    def apply(queryset, values, modifier, context):
        lookup = {"exact": "exact", "contains": "icontains"}.get(modifier or "", "istartswith")
        return queryset.filter(_any([Q(**{f"{field_name}__{lookup}": value}) for value in values]))

    return apply


def state_filter(queryset, values, modifier, context):
    lookup = {"exact": "exact", "contains": "icontains"}.get(modifier or "", "istartswith")
    return queryset.filter(
        _any([Q(**{f"state__state__{lookup}": v}) | Q(**{f"state__state_name__{lookup}": v}) for v in values])
    )


# ---------------------------------------------------------------- Organization (credential issuers)


# Issuers are a short list built in Python (fhir.selectors.issuer_list), so these filter a list.


def organization_id_filter(issuers, values, modifier, context):
    wanted = set(values)
    return [issuer for issuer in issuers if issuer.id in wanted]


def organization_name_filter(issuers, values, modifier, context):
    def matches(name: str, value: str) -> bool:
        if modifier == "exact":
            return name == value or value in name.split()
        if modifier == "contains":
            return value.lower() in name.lower()
        lowered = value.lower()
        return name.lower().startswith(lowered) or any(word.lower().startswith(lowered) for word in name.split())

    return [issuer for issuer in issuers if any(matches(issuer.name, value) for value in values)]


# ---------------------------------------------------------------- declarations

BASE = "http://hl7.org/fhir/SearchParameter"
NDH = "http://hl7.org/fhir/us/ndh/SearchParameter"
MERIDIAN = "meridian"  # a Meridian-defined parameter: its definition is codes.search_parameter_url(name)
VERIFIED_DOC = (
    "true: listings with a license Meridian staff verified, board status active, unrestricted and "
    "unexpired, in the state of one of their practice locations, a state that licenses acupuncturists "
    "(the directory's “verified license” badge); "
    "false: the others. Meridian-defined."
)


def _id_param() -> SearchParam:
    return SearchParam("_id", "token", "The resource id.", filter_id, f"{BASE}/Resource-id")


@dataclass(frozen=True)
class ResourceDefinition:
    type: str
    documentation: str
    params: dict[str, SearchParam]
    includes: tuple[str, ...] = ()
    revincludes: tuple[str, ...] = ()


def _params(*params: SearchParam) -> dict[str, SearchParam]:
    return {param.name: param for param in params}


def resource_definitions() -> dict[str, ResourceDefinition]:
    definitions = [
        ResourceDefinition(
            "Practitioner",
            "One per published listing.",
            _params(
                _id_param(),
                SearchParam(
                    "_lastUpdated",
                    "date",
                    "When the listing or one of its credentials last changed (prefixes eq, ne, gt, ge, lt, le, sa, eb).",
                    filter_last_updated,
                    f"{BASE}/Resource-lastUpdated",
                    alternatives=False,
                ),
                SearchParam(
                    "name",
                    "string",
                    "Start of any word of the name, or of the whole name (case-insensitive).",
                    string_filter("name"),
                    f"{BASE}/Practitioner-name",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "family",
                    "string",
                    "Start of the family name (the name's last word).",
                    string_filter("name", position="last"),
                    f"{BASE}/individual-family",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "given",
                    "string",
                    "Start of a given name (any word of the name but the last).",
                    string_filter("name", position="not_last"),
                    f"{BASE}/individual-given",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "gender",
                    "token",
                    "male, female, other (non-binary or self-described) or unknown (not stated).",
                    filter_gender,
                    f"{BASE}/individual-gender",
                ),
                SearchParam(
                    "qualification-code",
                    "token",
                    f"{codes.NUCC_SYSTEM}|{codes.ACUPUNCTURIST_TAXONOMY} (any state credential), state-license, state-registration, "
                    "an NCCAOM certification (dipl_ac, dipl_om, dipl_ch, dipl_abt) or a degree (MAc, MSOM, …) "
                    "of Meridian's qualification CodeSystem. Matches the credential whatever its verification.",
                    filter_qualification_code,
                    f"{NDH}/practitioner-qualification-code",
                ),
                SearchParam(
                    "qualification-issuer",
                    "reference",
                    "Organization/board-XX (a state board), Organization/nccaom or Organization/school-N.",
                    filter_qualification_issuer,
                    f"{NDH}/practitioner-qualification-issuer",
                ),
                SearchParam("verified", "token", VERIFIED_DOC, boolean_flag_filter("verified"), MERIDIAN),
            ),
            revincludes=("PractitionerRole:practitioner",),
        ),
        ResourceDefinition(
            "PractitionerRole",
            "A practitioner at one practice location (its id is the location's).",
            _params(
                _id_param(),
                SearchParam(
                    "practitioner",
                    "reference",
                    "Practitioner/N",
                    reference_filter("Practitioner", "practitioner_id"),
                    f"{BASE}/PractitionerRole-practitioner",
                ),
                SearchParam(
                    "location",
                    "reference",
                    "Location/N",
                    reference_filter("Location", "pk"),
                    f"{BASE}/PractitionerRole-location",
                ),
                SearchParam(
                    "specialty",
                    "token",
                    f"{codes.NUCC_SYSTEM}|{codes.ACUPUNCTURIST_TAXONOMY} (every role here).",
                    filter_specialty,
                    f"{BASE}/PractitionerRole-specialty",
                ),
                SearchParam(
                    "new-patient",
                    "token",
                    f"newpt or nopt ({codes.ACCEPTING_PATIENTS_SYSTEM}): the listing's “accepting new patients”.",
                    filter_new_patient,
                    f"{NDH}/practitionerrole-new-patient",
                ),
                SearchParam(
                    "verified",
                    "token",
                    VERIFIED_DOC,
                    boolean_flag_filter("verified", practitioner_path="practitioner_id"),
                    MERIDIAN,
                ),
                SearchParam(
                    "location.near",
                    "special",
                    "Chained Location near: roles whose location is within the distance "
                    "(latitude|longitude|distance|unit, unit km or mi, default km; nearest first).",
                    near_filter("pk"),
                    f"{BASE}/Location-near",
                    repeatable=False,
                    alternatives=False,
                ),
            ),
            includes=("PractitionerRole:practitioner", "PractitionerRole:location"),
        ),
        ResourceDefinition(
            "Location",
            "A practice location of a published listing.",
            _params(
                _id_param(),
                SearchParam(
                    "address",
                    "string",
                    "Start of the street (any word), city, state (code or name) or ZIP.",
                    address_filter,
                    f"{BASE}/Location-address",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "address-city",
                    "string",
                    "Start of the city.",
                    field_filter("city"),
                    f"{BASE}/Location-address-city",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "address-state",
                    "string",
                    "Start of the state code or name.",
                    state_filter,
                    f"{BASE}/Location-address-state",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "address-postalcode",
                    "string",
                    "Start of the ZIP code.",
                    field_filter("zip_code"),
                    f"{BASE}/Location-address-postalcode",
                    STRING_MODIFIERS,
                ),
                SearchParam(
                    "near",
                    "special",
                    f"latitude|longitude|distance|unit, unit km (default) or mi; distance default {DEFAULT_RADIUS} mi, "
                    f"at most {MAX_RADIUS} mi. Results come nearest first with their distance in "
                    "Bundle.entry.search (location-distance extension).",
                    near_filter("pk"),
                    f"{BASE}/Location-near",
                    repeatable=False,
                    alternatives=False,
                ),
            ),
        ),
        ResourceDefinition(
            "Organization",
            "The issuers of the credentials: state boards (board-XX), NCCAOM (nccaom) and schools "
            "(school-N). Meridian has no record of group practices, so none is an Organization.",
            _params(
                SearchParam(
                    "_id", "token", "board-XX, nccaom or school-N.", organization_id_filter, f"{BASE}/Resource-id"
                ),
                SearchParam(
                    "name",
                    "string",
                    "Start of any word of the name, or of the whole name.",
                    organization_name_filter,
                    f"{BASE}/Organization-name",
                    STRING_MODIFIERS,
                ),
            ),
        ),
    ]
    return {definition.type: definition for definition in definitions}


RESOURCES = resource_definitions()

# Result parameters every search accepts (besides the resource's own).
CONTROL_PARAMS = ("_count", "_page", "_include", "_revinclude", "_format", "_pretty", "_total")
FORMATS = ("json", "application/json", "application/fhir+json", "application/json+fhir")
UNSUPPORTED_CONTROLS = (
    "_sort",
    "_summary",
    "_elements",
    "_contained",
    "_containedType",
    "_has",
    "_text",
    "_content",
    "_list",
    "_query",
    "_filter",
    "_type",
    "_security",
    "_tag",
    "_profile",
    "_source",
)


@dataclass
class ParsedSearch:
    definition: ResourceDefinition
    filters: list[tuple[SearchParam, list[str], str | None]]
    count: int
    page: int
    includes: list[str]
    revincludes: list[str]
    context: Context


def _one(query, name: str, issues: list[Issue]) -> str | None:
    given = [value.strip() for value in query.getlist(name) if value.strip()]
    if len(set(given)) > 1:
        issues.append(Issue("invalid", f"Give one {name} only.", name))
        return None
    return given[0] if given else None


def _positive_int(text: str | None, name: str, *, low: int, high: int | None, issues: list[Issue]) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", text):
        issues.append(Issue("invalid", f"{name} must be a whole number, not “{text[:30]}”.", name))
        return None
    number = int(text)
    if number < low or (high is not None and number > high):
        limit = f"from {low} to {high}" if high is not None else f"{low} or more"
        issues.append(Issue("invalid", f"{name} must be {limit}, not {number}.", name))
        return None
    return number


def parse_search(resource_type: str, query, *, today: datetime.date | None = None) -> ParsedSearch:
    """Check every parameter of a search and collect what to apply; SearchError lists every problem."""
    definition = RESOURCES[resource_type]
    issues: list[Issue] = []
    filters: list[tuple[SearchParam, list[str], str | None]] = []
    includes: list[str] = []
    revincludes: list[str] = []
    for key in query:
        name, _, modifier = key.partition(":")
        values = [value for value in query.getlist(key) if value.strip()]  # blank values count as absent
        if name in UNSUPPORTED_CONTROLS:
            issues.append(Issue("not-supported", f"{name} is not supported by this server.", key))
            continue
        if name in CONTROL_PARAMS:
            if modifier:
                issues.append(Issue("not-supported", f"{name} takes no modifier (:{modifier}).", key))
            elif name in ("_include", "_revinclude"):
                allowed = definition.includes if name == "_include" else definition.revincludes
                for value in values:
                    target = value.strip()
                    bare = ":".join(target.split(":")[:2])
                    if bare not in allowed or (target != bare and not target.endswith(f":{_target_of(bare)}")):
                        supported = ", ".join(allowed) or "none"
                        issues.append(
                            Issue("not-supported", f"{name}={target[:80]} is not supported here ({supported}).", key)
                        )
                    elif bare not in (includes if name == "_include" else revincludes):
                        (includes if name == "_include" else revincludes).append(bare)
            continue
        param = definition.params.get(name)
        if param is None:
            known = ", ".join([*definition.params, *CONTROL_PARAMS])
            issues.append(
                Issue("not-supported", f"Unknown search parameter “{key[:60]}” for {resource_type}; use {known}.", key)
            )
            continue
        if modifier and modifier not in param.modifiers and param.type != "reference":
            issues.append(Issue("not-supported", f"The modifier :{modifier[:30]} is not supported on {name}.", key))
            continue
        if len(values) > 1 and not param.repeatable:
            issues.append(Issue("invalid", f"Give {name} once.", key))
            continue
        for value in values:
            alternatives = split_or(value) if param.alternatives else [value]
            try:
                filters.append((param, [checked(alternative) for alternative in alternatives], modifier or None))
            except BadValue as exc:
                issues.append(Issue("value", f"{name}: {exc}", key))

    count = _positive_int(_one(query, "_count", issues), "_count", low=0, high=MAX_COUNT, issues=issues)
    page = _positive_int(_one(query, "_page", issues), "_page", low=1, high=None, issues=issues)
    fmt = _one(query, "_format", issues)
    if fmt is not None and fmt not in FORMATS:
        issues.append(
            Issue("not-supported", f"_format={fmt[:40]} is not supported; this server speaks JSON.", "_format")
        )
    pretty = _one(query, "_pretty", issues)
    if pretty is not None and pretty not in ("true", "false"):
        issues.append(Issue("invalid", "_pretty is true or false.", "_pretty"))
    total = _one(query, "_total", issues)
    if total is not None and total not in ("none", "estimate", "accurate"):
        issues.append(Issue("invalid", "_total is none, estimate or accurate.", "_total"))
    if issues:
        raise SearchError(issues)
    return ParsedSearch(
        definition=definition,
        filters=filters,
        count=DEFAULT_COUNT if count is None else count,
        page=page or 1,
        includes=includes,
        revincludes=revincludes,
        context=Context(today=today or timezone.localdate()),
    )


def _target_of(include: str) -> str:
    return {"PractitionerRole:practitioner": "Practitioner", "PractitionerRole:location": "Location"}[include]


def apply_filters(search: ParsedSearch, queryset: QuerySet) -> QuerySet:
    """Every parameter's filter (repeats AND, alternatives OR); SearchError for values that do not parse."""
    issues = []
    for param, values, modifier in search.filters:
        try:
            queryset = param.apply(queryset, values, modifier, search.context)
        except BadValue as exc:
            issues.append(Issue("value", f"{param.name}: {exc}", param.name))
    if issues:
        raise SearchError(issues)
    return queryset
