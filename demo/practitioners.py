"""Deterministic, clearly fictional demo listings.

`DemoGenerator` turns a seed into plain dataclasses (no ORM inside); the
`seed_demo` command turns those into rows with bulk inserts. Every credential
situation a patient or reviewer can meet is represented: the first
`len(SCENARIOS)` practitioners take one scenario each, the rest are drawn at
random with realistic weights.
"""

import dataclasses
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from practitioners import geo

from . import showcase as sc
from .portraits import POOL_SIZE

FIRST_NAMES = [
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Casey",
    "Quinn",
    "Harper",
    "Rowan",
    "Sage",
    "Emerson",
    "Hana",
    "Mei",
    "Wei",
    "Jun",
    "Min-jun",
    "Seo-yeon",
    "Linh",
    "Thu",
    "Carlos",
    "Lucia",
    "Mateo",
    "Sofia",
    "Diego",
    "Elena",
    "Priya",
    "Arjun",
    "Noor",
    "Omar",
    "Leila",
    "Yusuf",
    "Anya",
    "Dmitri",
    "Ingrid",
    "Lars",
    "Amara",
    "Kofi",
    "Tomas",
    "Isabel",
    "Nadia",
    "Samuel",
    "Grace",
    "Daniel",
    "Julia",
    "Owen",
    "Clara",
    "Felix",
    "Iris",
    "Miles",
    "Ruth",
]
LAST_NAMES = [
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Nguyen",
    "Tran",
    "Kim",
    "Park",
    "Lee",
    "Choi",
    "Tanaka",
    "Sato",
    "Garcia",
    "Martinez",
    "Lopez",
    "Hernandez",
    "Rivera",
    "Patel",
    "Shah",
    "Singh",
    "Khan",
    "Haddad",
    "Cohen",
    "Novak",
    "Kowalski",
    "Johansson",
    "Larsen",
    "Okafor",
    "Mensah",
    "Silva",
    "Santos",
    "Rossi",
    "Bianchi",
    "Murphy",
    "Walsh",
    "Bennett",
    "Foster",
    "Hayes",
    "Brooks",
    "Ellis",
    "Palmer",
    "Reyes",
    "Ortiz",
    "Fischer",
    "Weber",
    "Moreau",
    "Dubois",
    "Yamamoto",
    "Lin",
]
CLINIC_WORDS = [
    "Harmony",
    "Balance",
    "Meridian",
    "Lotus",
    "Willow",
    "Cedar",
    "Riverstone",
    "Bamboo",
    "Jade",
    "Summit",
    "Clearwater",
    "Pine",
    "Lantern",
]
CLINIC_KINDS = (
    "Acupuncture",
    "Acupuncture & Wellness",
    "Integrative Pain Clinic",
    "Community Acupuncture",
    "Spine & Sports Acupuncture",
)
# States weighted roughly by where acupuncturists practise.
STATE_WEIGHTS = {
    "CA": 30,
    "NY": 12,
    "FL": 8,
    "TX": 6,
    "WA": 5,
    "CO": 4,
    "OR": 4,
    "MA": 4,
    "IL": 3,
    "NJ": 3,
    "PA": 3,
    "MD": 3,
    "VA": 2,
    "NC": 2,
    "AZ": 2,
    "HI": 2,
    "MN": 2,
    "GA": 2,
    "NM": 2,
    "MI": 1,
    "OH": 1,
    "WI": 1,
    "CT": 1,
    "UT": 1,
    "NV": 1,
    "RI": 1,
    "VT": 1,
    "DC": 1,
    "ME": 1,
    "TN": 1,
}
TITLE_BY_STATE = {
    "FL": "AP",
    "HI": "D.Ac.",
    "RI": "D.Ac.",
    "NM": "DOM",
    "NV": "OMD",
}  # first title in state_boards.json
DEMO_SCHOOLS = (
    ("Demo Candidate College of Acupuncture (fictional)", "candidate"),
    ("Demo Institute of Needling Arts (fictional, unaccredited)", "none"),
)
BIO_SENTENCES = (
    "I have treated neck and back pain for most of my career, often alongside physical therapists and chiropractors.",
    "Many of my patients come to me after months of low back pain that has not settled with rest and medication.",
    "I combine acupuncture with practical advice on posture, movement and sleep.",
    "Treatment is gentle; most people are surprised how relaxing a session is.",
    "I work closely with patients' physicians and send treatment notes when asked.",
    "Before acupuncture school I worked as a massage therapist, which shapes how I assess muscular pain.",
    "I see many office workers with neck and shoulder tension and people recovering from spine surgery.",
)
FIRST_SESSION_TEXTS = (
    "Your first visit lasts about 90 minutes: we talk through your pain and health history, I examine your neck or back, "
    "and then you rest with fine needles in place for about 25 minutes.",
    "Plan on an hour. After a short intake we begin treatment the same day; wear loose clothing so I can reach your back and legs.",
)
COURSE_TEXTS = (
    "For chronic low back pain most people come weekly for 6 to 8 weeks, then less often as things improve.",
    "Acute neck pain often improves within 3 to 5 sessions; longer-standing pain usually needs 8 to 12.",
)
TRAININGS = (
    ("Orthopedic Acupuncture Certificate", "Demo Orthopedic Acupuncture Institute"),
    ("Sports Acupuncture Certification", "Demo Sports Medicine Acupuncture Program"),
    ("Pain Management Fellowship", "Demo Integrative Pain Academy"),
    ("Trigger Point Dry Needling Course", "Demo Myofascial Education Center"),
)

# Credential situations, each guaranteed to appear at least once.
SCENARIOS = (
    "verified_full",  # verified license + NCCAOM + accredited degree: every badge
    "pending",  # license waiting in the queue
    "rejected",  # license rejected by staff
    "expired_yesterday",  # verified license whose expiry date was yesterday
    "expiring_next_month",  # verified, expires in ~30 days
    "probation",  # verified but board status probation
    "nccaom_lapsed",  # NCCAOM certification lapsed
    "school_candidate",  # degree from a candidate-only school (no Medicare badge)
    "unverified",  # never submitted
    "restricted",  # verified license with a discipline flag
    "revoked",  # verification revoked by staff
)
SCENARIO_WEIGHTS = (60, 6, 2, 2, 4, 1, 4, 4, 12, 1, 1)


@dataclass
class DemoLicense:
    number: str
    title: str
    issue_date: datetime.date
    expiry_date: datetime.date
    verification_state: str
    board_status: str = "active"
    restricted: bool = False
    rejection_reason: str = ""


@dataclass
class DemoCertification:
    cert_type: str
    number: str
    issue_date: datetime.date
    expiry_date: datetime.date
    status: str
    verification_state: str


@dataclass
class DemoDegree:
    school_slug: str
    degree: str
    graduation_year: int
    verification_state: str


@dataclass
class DemoLocation:
    name: str
    street: str
    city: str
    state: str
    zip_code: str
    latitude: float
    longitude: float
    phone: str
    evening_hours: bool
    weekend_hours: bool
    wheelchair_accessible: bool
    is_primary: bool
    hours: list[tuple[int, datetime.time, datetime.time]] = field(default_factory=list)


@dataclass
class DemoPractitioner:
    index: int
    scenario: str
    name: str
    slug: str
    display_credentials: str
    gender: str
    bio: str
    practice_started_year: int
    accepting_new_patients: bool
    first_visit_fee: Decimal | None
    follow_up_fee: Decimal | None
    sliding_scale: bool
    payment_plans: bool
    medicare_enrolled: bool
    first_session_text: str
    course_of_treatment_text: str
    phone: str
    website: str
    confirmed_days_ago: int
    condition_slugs: list[str]
    technique_slugs: list[str]
    service_slugs: list[str]
    insurance_slugs: list[str]
    language_codes: list[str]
    locations: list[DemoLocation]
    licenses: list[DemoLicense]
    certifications: list[DemoCertification]
    degrees: list[DemoDegree]
    trainings: list[tuple[str, str, int]]
    portrait: int | None = None  # a `demo.portraits` pool number (showcase listings only)


class DemoGenerator:
    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        condition_slugs: list[str],
        technique_slugs: list[str],
        service_slugs: list[str],
        insurance_slugs: list[str],
        language_codes: list[str],
        accredited_school_slugs: list[str],
        candidate_school_slug: str,
        unaccredited_school_slug: str,
        showcase: bool = False,
    ) -> None:
        """`showcase`: dress each listing for the demo site (`demo.showcase`); off, the plain
        listings `seed_bench` stores, unchanged so the benchmark's data stays the same."""
        self.seed = seed
        self.showcase = showcase
        self.today = today
        self.conditions = condition_slugs
        self.techniques = technique_slugs
        self.services = service_slugs
        self.insurance = insurance_slugs
        self.languages = [code for code in language_codes if code != "en"]
        self.accredited_schools = accredited_school_slugs
        self.candidate_school = candidate_school_slug
        self.unaccredited_school = unaccredited_school_slug
        self.states = list(STATE_WEIGHTS)
        self.state_weights = list(STATE_WEIGHTS.values())
        self.zips_by_state = {state: geo.zips_in_state(state) for state in self.states}

    def practitioner(self, index: int) -> DemoPractitioner:
        # One Random per practitioner: the same seed and index always give the same listing,
        # whatever batch size or order the command uses.
        rng = random.Random(f"{self.seed}:{index}")
        scenario = SCENARIOS[index] if index < len(SCENARIOS) else rng.choices(SCENARIOS, weights=SCENARIO_WEIGHTS)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        state = rng.choices(self.states, weights=self.state_weights)[0]
        locations = [self._location(rng, state, primary=True, owner_last=last)]
        if rng.random() < 0.5:
            locations.append(self._location(rng, state, primary=False, owner_last=last))
        title = TITLE_BY_STATE.get(state, "L.Ac.")
        licenses, certifications, degrees = self._credentials(rng, scenario, state, title, index)
        creds = [title] + (["Dipl. Ac. (NCCAOM)"] if certifications else [])
        started = self.today.year - rng.randint(1, 35)
        fee = Decimal(rng.randrange(60, 220, 5))
        conditions = rng.sample(self.conditions, rng.randint(2, 7))
        demo = DemoPractitioner(
            index=index,
            scenario=scenario,
            name=name,
            slug=f"{slugify(name)}-{index + 1}",
            display_credentials=", ".join(creds),
            gender=rng.choices(["female", "male", "nonbinary", ""], weights=[55, 38, 3, 4])[0],
            bio=" ".join(rng.sample(BIO_SENTENCES, 3)),
            practice_started_year=started,
            accepting_new_patients=rng.random() < 0.8,
            first_visit_fee=fee if rng.random() < 0.92 else None,
            follow_up_fee=(fee - Decimal(rng.randrange(10, 50, 5))).max(Decimal(40)),
            sliding_scale=rng.random() < 0.3,
            payment_plans=rng.random() < 0.2,
            medicare_enrolled=scenario == "verified_full" or rng.random() < 0.15,
            first_session_text=rng.choice(FIRST_SESSION_TEXTS),
            course_of_treatment_text=rng.choice(COURSE_TEXTS),
            phone=self._phone(rng),
            website=f"https://{slugify(last)}-acupuncture.example.com/",
            confirmed_days_ago=rng.choice([3, 20, 45, 90, 120, 160, 200, 400]),
            condition_slugs=conditions,
            technique_slugs=rng.sample(self.techniques, rng.randint(1, 5)),
            service_slugs=rng.sample(self.services, rng.randint(0, 3)),
            insurance_slugs=rng.sample(self.insurance, rng.randint(0, 5)),
            language_codes=["en", *rng.sample(self.languages, rng.choice([0, 0, 1, 1, 2]))],
            locations=locations,
            licenses=licenses,
            certifications=certifications,
            degrees=degrees,
            trainings=[
                (t, p, rng.randint(max(started, self.today.year - 20), self.today.year))
                for t, p in rng.sample(TRAININGS, rng.choice([0, 0, 1, 2]))
            ],
        )
        return self._showcase(demo) if self.showcase else demo

    def _showcase(self, demo: DemoPractitioner) -> DemoPractitioner:
        """The listing placed in a real metro, with a plausible name, clinic, bio, fees, carriers and portrait.

        Its own Random, so the plain listing's draws (and `seed_bench`) are untouched."""
        rng = random.Random(f"showcase:{self.seed}:{demo.index}")
        metro = rng.choices(sc.METROS, weights=[m.weight for m in sc.METROS])[0]
        first = rng.choice(rng.choice([FIRST_NAMES, sc.FIRST_NAMES]))
        last = rng.choice(rng.choice([LAST_NAMES, sc.LAST_NAMES]))
        name = f"{first} {last}"
        core = [slug for slug in sc.CORE_CONDITIONS if slug in self.conditions]
        others = [slug for slug in self.conditions if slug not in core]
        conditions = rng.sample(core, min(len(core), rng.randint(2, 4))) + rng.sample(
            others, min(len(others), rng.randint(0, 4))
        )
        techniques = demo.technique_slugs or rng.sample(self.techniques, 1)
        focus = sc.pretty(conditions[0])
        technique = sc.pretty(rng.choice(techniques))
        bio = " ".join(
            [
                rng.choice(sc.BIO_OPENERS).format(city=metro.city, started=demo.practice_started_year, focus=focus),
                rng.choice(sc.BIO_APPROACH).format(technique=technique, technique_cap=technique.capitalize()),
                *rng.sample(sc.BIO_CLOSERS, rng.randint(1, 2)),
            ]
        )
        community = rng.random() < 0.12
        fee = None
        if demo.first_visit_fee is not None:
            middle = 45 if community else 125
            fee = Decimal(max(35, round(rng.gauss(middle * metro.fee_level, 18) / 5) * 5))
        follow_up = (fee - Decimal(rng.randrange(10, 40, 5))).max(Decimal(35)) if fee else demo.follow_up_fee
        carriers = [] if community or rng.random() < 0.3 else self._carriers(rng)
        zips = sc.metro_zips(metro)
        clinic = rng.choice(sc.CLINIC_PATTERNS[2:4] if community else sc.CLINIC_PATTERNS)
        clinic_name = clinic.format(last=last, word=rng.choice(sc.CLINIC_WORDS), city=metro.city)
        if community:
            clinic_name = f"{metro.city} Community Acupuncture"
        locations = []
        for position, location in enumerate(demo.locations):
            zip_code, city, lat, lng, area = rng.choice(zips)
            suite = rng.choice(sc.SUITES)
            locations.append(
                dataclasses.replace(
                    location,
                    name=clinic_name if position == 0 else f"{clinic_name} – {city}",
                    street=f"{rng.randint(10, 2999)} {rng.choice(sc.STREETS)}" + (f", {suite}" if suite else ""),
                    city=city,
                    state=metro.state,
                    zip_code=zip_code,
                    latitude=round(lat + rng.uniform(-0.01, 0.01), 6),
                    longitude=round(lng + rng.uniform(-0.01, 0.01), 6),
                    phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
                )
            )
        title = TITLE_BY_STATE.get(metro.state, "L.Ac.")
        licenses = [
            dataclasses.replace(lic, title=title, number=f"DEMO-{metro.state}-{demo.index + 1:07d}")
            for lic in demo.licenses
        ]
        creds = [title] + (["Dipl. Ac. (NCCAOM)"] if demo.certifications else [])
        return dataclasses.replace(
            demo,
            name=name,
            slug=f"{slugify(name)}-{demo.index + 1}",
            display_credentials=", ".join(creds),
            bio=bio,
            first_visit_fee=fee,
            follow_up_fee=follow_up,
            sliding_scale=community or demo.sliding_scale,
            phone=locations[0].phone,
            website=f"https://{slugify(clinic_name)}.example.com/",
            condition_slugs=conditions,
            insurance_slugs=carriers,
            locations=locations,
            licenses=licenses,
            portrait=rng.randrange(POOL_SIZE) if rng.random() < sc.PHOTO_SHARE else None,
        )

    def _carriers(self, rng: random.Random) -> list[str]:
        known = [slug for slug in sc.CARRIER_WEIGHTS if slug in self.insurance]
        picked = rng.choices(known, weights=[sc.CARRIER_WEIGHTS[slug] for slug in known], k=rng.randint(1, 5))
        return sorted(set(picked))

    def _phone(self, rng: random.Random) -> str:
        # 555-01xx numbers are reserved for fiction.
        return f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}"

    def _location(self, rng: random.Random, state: str, *, primary: bool, owner_last: str) -> DemoLocation:
        zip_code = rng.choice(self.zips_by_state[state])
        place = geo.zip_place(zip_code)
        assert place is not None
        weekdays = sorted(rng.sample(range(7), rng.randint(3, 6)))
        hours = [
            (d, datetime.time(rng.choice([8, 9, 10])), datetime.time(rng.choice([17, 18, 19, 20]))) for d in weekdays
        ]
        return DemoLocation(
            name=f"{rng.choice(CLINIC_WORDS)} {rng.choice(CLINIC_KINDS)}",
            street=f"{rng.randint(10, 9999)} {rng.choice(CLINIC_WORDS)} {rng.choice(['St', 'Ave', 'Blvd', 'Rd'])}",
            city=place.label.split("(", 1)[1].rsplit(",", 1)[0],
            state=state,
            zip_code=zip_code,
            # A little jitter so two listings in one ZIP do not sit on the same point.
            latitude=round(max(-90.0, min(90.0, place.latitude + rng.uniform(-0.02, 0.02))), 6),
            longitude=round(max(-180.0, min(180.0, place.longitude + rng.uniform(-0.02, 0.02))), 6),
            phone=self._phone(rng),
            evening_hours=any(close.hour >= 19 for _, _, close in hours),
            weekend_hours=any(day >= 5 for day, _, _ in hours),
            wheelchair_accessible=rng.random() < 0.7,
            is_primary=primary,
            hours=hours if primary else [],
        )

    def _credentials(self, rng: random.Random, scenario: str, state: str, title: str, index: int):
        today = self.today
        issue = today - datetime.timedelta(days=rng.randint(400, 9000))
        expiry = today + datetime.timedelta(days=rng.randint(90, 700))
        lic = DemoLicense(
            number=f"DEMO-{state}-{index + 1:07d}",
            title=title,
            issue_date=issue,
            expiry_date=expiry,
            verification_state="verified",
        )
        if scenario == "pending":
            lic.verification_state = "pending"
        elif scenario == "rejected":
            lic.verification_state = "rejected"
            lic.rejection_reason = "The license number was not found in the state board's records."
        elif scenario == "expired_yesterday":
            lic.expiry_date = today - datetime.timedelta(days=1)
        elif scenario == "expiring_next_month":
            lic.expiry_date = today + datetime.timedelta(days=30)
        elif scenario == "probation":
            lic.board_status = "probation"
        elif scenario == "unverified":
            lic.verification_state = "unverified"
        elif scenario == "restricted":
            lic.restricted = True
        elif scenario == "revoked":
            lic.verification_state = "revoked"

        certifications = []
        if scenario in ("verified_full", "nccaom_lapsed") or rng.random() < 0.45:
            cert_issue = today - datetime.timedelta(days=rng.randint(200, 1300))
            certifications.append(
                DemoCertification(
                    cert_type=rng.choice(["dipl_ac", "dipl_ac", "dipl_om"]),
                    number=f"DEMO-N{index + 1:07d}",
                    issue_date=cert_issue,
                    expiry_date=cert_issue + datetime.timedelta(days=4 * 365),
                    status="lapsed" if scenario == "nccaom_lapsed" else "active",
                    verification_state="verified" if scenario != "unverified" else "pending",
                )
            )
            if scenario == "nccaom_lapsed":
                certifications[0].expiry_date = today - datetime.timedelta(days=rng.randint(10, 300))
                certifications[0].issue_date = certifications[0].expiry_date - datetime.timedelta(days=4 * 365)

        degrees = []
        if scenario == "school_candidate":
            school = self.candidate_school
        elif rng.random() < 0.05:
            school = self.unaccredited_school
        else:
            school = rng.choice(self.accredited_schools)
        if scenario in ("verified_full", "school_candidate") or rng.random() < 0.85:
            degrees.append(
                DemoDegree(
                    school_slug=school,
                    degree=rng.choice(["MAc", "MSOM", "MAOM", "MAcHM", "DACM", "DAOM"]),
                    graduation_year=issue.year - rng.randint(0, 1),
                    verification_state="verified" if scenario not in ("unverified", "pending") else "pending",
                )
            )
        return [lic], certifications, degrees
