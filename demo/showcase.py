"""What makes `seed_demo`'s listings look like a real city's directory (plain data, no ORM).

`DemoGenerator(showcase=True)` draws a listing as before and then, with its own
random generator, places it in a real metro area weighted roughly by where
acupuncturists practise (several per big city, so "10001" or "Austin, TX" finds
dozens or a handful within 25 miles), and gives it a plausible name, clinic, bio,
fees for its city, carriers and a generated portrait. `seed_bench` keeps the plain
generator: its rows, and so the benchmark's figures, do not change.
"""

import functools
from dataclasses import dataclass

from practitioners import geo


@dataclass(frozen=True)
class Metro:
    city: str
    state: str
    latitude: float
    longitude: float
    weight: int
    radius: float = 10.0  # miles around the centre within which its listings' ZIPs lie
    fee_level: float = 1.0  # a first visit here costs about this many times the national middle


# Centres are city halls (public knowledge); weights are rough shares of the country's acupuncturists.
METROS = (
    Metro("New York", "NY", 40.7128, -74.0060, 34, radius=9, fee_level=1.35),
    Metro("Jersey City", "NJ", 40.7178, -74.0431, 5, radius=6, fee_level=1.15),
    Metro("Princeton", "NJ", 40.3573, -74.6672, 2, fee_level=1.1),
    Metro("Los Angeles", "CA", 34.0522, -118.2437, 22, radius=14, fee_level=1.2),
    Metro("San Francisco", "CA", 37.7749, -122.4194, 12, radius=6, fee_level=1.35),
    Metro("Oakland", "CA", 37.8044, -122.2712, 6, radius=7, fee_level=1.2),
    Metro("San Jose", "CA", 37.3382, -121.8863, 5, fee_level=1.25),
    Metro("San Diego", "CA", 32.7157, -117.1611, 8, fee_level=1.1),
    Metro("Sacramento", "CA", 38.5816, -121.4944, 3),
    Metro("Seattle", "WA", 47.6062, -122.3321, 9, fee_level=1.15),
    Metro("Portland", "OR", 45.5152, -122.6784, 9),
    Metro("Denver", "CO", 39.7392, -104.9903, 6),
    Metro("Boulder", "CO", 40.0150, -105.2705, 3, radius=6, fee_level=1.1),
    Metro("Austin", "TX", 30.2672, -97.7431, 8),
    Metro("Houston", "TX", 29.7604, -95.3698, 4, radius=14, fee_level=0.9),
    Metro("Dallas", "TX", 32.7767, -96.7970, 4, radius=14, fee_level=0.95),
    Metro("Chicago", "IL", 41.8781, -87.6298, 9, radius=12, fee_level=1.05),
    Metro("Boston", "MA", 42.3601, -71.0589, 9, radius=8, fee_level=1.2),
    Metro("Philadelphia", "PA", 39.9526, -75.1652, 5),
    Metro("Pittsburgh", "PA", 40.4406, -79.9959, 2, fee_level=0.9),
    Metro("Washington", "DC", 38.9072, -77.0369, 4, radius=5, fee_level=1.2),
    Metro("Bethesda", "MD", 39.0840, -77.1528, 3, radius=6, fee_level=1.15),
    Metro("Baltimore", "MD", 39.2904, -76.6122, 3, fee_level=0.95),
    Metro("Arlington", "VA", 38.8816, -77.0910, 3, radius=6, fee_level=1.1),
    Metro("Miami", "FL", 25.7617, -80.1918, 6, radius=12),
    Metro("Tampa", "FL", 27.9506, -82.4572, 3, fee_level=0.9),
    Metro("Orlando", "FL", 28.5383, -81.3792, 3, fee_level=0.9),
    Metro("Atlanta", "GA", 33.7490, -84.3880, 4, radius=12),
    Metro("Asheville", "NC", 35.5951, -82.5515, 2, fee_level=0.9),
    Metro("Charlotte", "NC", 35.2271, -80.8431, 2, fee_level=0.9),
    Metro("Phoenix", "AZ", 33.4484, -112.0740, 3, radius=14, fee_level=0.9),
    Metro("Tucson", "AZ", 32.2226, -110.9747, 2, fee_level=0.85),
    Metro("Santa Fe", "NM", 35.6870, -105.9378, 2, fee_level=0.95),
    Metro("Albuquerque", "NM", 35.0844, -106.6504, 2, fee_level=0.85),
    Metro("Honolulu", "HI", 21.3069, -157.8583, 4, fee_level=1.1),
    Metro("Minneapolis", "MN", 44.9778, -93.2650, 4),
    Metro("Madison", "WI", 43.0731, -89.4012, 2, fee_level=0.9),
    Metro("Ann Arbor", "MI", 42.2808, -83.7430, 2, fee_level=0.9),
    Metro("Columbus", "OH", 39.9612, -82.9988, 2, fee_level=0.85),
    Metro("Nashville", "TN", 36.1627, -86.7816, 2, fee_level=0.9),
    Metro("Salt Lake City", "UT", 40.7608, -111.8910, 2, fee_level=0.9),
    Metro("Las Vegas", "NV", 36.1699, -115.1398, 2, fee_level=0.9),
    Metro("Providence", "RI", 41.8240, -71.4128, 2, fee_level=0.95),
    Metro("New Haven", "CT", 41.3083, -72.9279, 2),
    Metro("Burlington", "VT", 44.4759, -73.2121, 1, fee_level=0.9),
    Metro("Portland", "ME", 43.6591, -70.2568, 1, fee_level=0.9),
)

# Added to the plain generator's names: more first names and family names, as varied as the profession.
FIRST_NAMES = (
    "Abigail", "Adrian", "Aiko", "Alana", "Ana", "Benjamin", "Bianca", "Caleb", "Camille", "Chloe", "Deepa",
    "Eitan", "Esther", "Fatima", "Gabriel", "Hiro", "Hyun-woo", "Imani", "Jasmine", "Javier", "Ji-woo", "Kavya",
    "Keiko", "Lauren", "Leah", "Lily", "Malik", "Marisol", "Maya", "Nathan", "Nicole", "Paulo", "Rachel",
    "Rebecca", "Rohan", "Sarah", "Shira", "Simone", "Tamar", "Thanh", "Valeria", "Vanessa", "Xin", "Yara", "Zoe",
    "Michael", "David", "Jennifer", "Emily", "Andrew", "Katherine", "Stephanie", "Brian", "Megan", "Kevin",
)  # fmt: skip
LAST_NAMES = (
    "Abrams", "Alvarez", "Anderson", "Baker", "Bui", "Castillo", "Chang", "Cho", "Dang", "Davis", "Delgado",
    "Feldman", "Goldberg", "Gomez", "Gupta", "Hall", "Huang", "Ito", "Jackson", "Jung", "Kapoor", "Kaur",
    "Klein", "Le", "Levy", "Lim", "Ma", "Mendoza", "Miller", "Morales", "Nakamura", "Ng", "O'Brien", "Pham",
    "Quinn", "Ramirez", "Rao", "Romero", "Schwartz", "Sullivan", "Suzuki", "Takahashi", "Thompson", "Torres",
    "Vargas", "Vu", "Watanabe", "Wong", "Wu", "Xu", "Yang", "Yoon", "Young", "Zhou",
)  # fmt: skip
CLINIC_PATTERNS = (
    "{last} Acupuncture",
    "{last} Acupuncture & Herbs",
    "{word} Acupuncture",
    "{word} Acupuncture & Wellness",
    "{city} Community Acupuncture",
    "{city} Spine & Sports Acupuncture",
    "{word} Integrative Pain Clinic",
    "{last} Family Acupuncture",
    "{word} Healing Arts",
    "{city} Acupuncture Collective",
)
CLINIC_WORDS = (
    "Harmony", "Balance", "Lotus", "Willow", "Cedar", "Riverstone", "Bamboo", "Jade", "Summit", "Clearwater",
    "Pine", "Lantern", "Evergreen", "North Star", "Blue Heron", "Red Maple", "Still Water", "Open Door",
    "Ginkgo", "Hawthorn", "Five Elements", "True North", "Golden Gate", "Spring Street", "Oak Hill",
)  # fmt: skip
STREETS = (
    "Main St", "Oak St", "Elm St", "Maple Ave", "Park Ave", "Washington St", "Lincoln Ave", "Broadway",
    "Market St", "Church St", "Highland Ave", "Cedar St", "Union St", "Grand Ave", "Central Ave", "Mill Rd",
    "Spring St", "River Rd", "Franklin St", "Chestnut St", "Pearl St", "Lake St", "College Ave", "Hillside Ave",
)  # fmt: skip
SUITES = ("", "", "", "Suite 200", "Suite 3B", "Floor 2", "Suite 110", "Unit 4")

BIO_OPENERS = (
    "I have practised acupuncture in {city} since {started}, and most of the people I see come for {focus}.",
    "I opened my practice in {city} in {started} after years of working alongside physical therapists.",
    "Since {started} I have helped people in and around {city} with {focus} and the stiffness that comes with it.",
    "I came to acupuncture after my own {focus} did not settle with rest and medication, and I have practised in "
    "{city} since {started}.",
    "My practice in {city} is built around {focus}; I have treated it since {started}.",
)
BIO_APPROACH = (
    "I use {technique} alongside classical needling, and I explain what I am doing and why at every visit.",
    "Treatment usually combines {technique} with simple exercises you can do at home between sessions.",
    "Sessions are unhurried: we look at how you sit, sleep and move, and I use {technique} where it helps.",
    "I keep treatments gentle; many people fall asleep on the table. {technique_cap} is often part of the plan.",
    "I trained in {technique} and use it most for pain that has lasted longer than a few months.",
)
BIO_CLOSERS = (
    "I am happy to send treatment notes to your physician or physical therapist.",
    "If acupuncture is not the right fit for your pain, I will tell you and suggest who to see instead.",
    "Outside the clinic I teach tai chi in the park on Saturday mornings.",
    "I see many desk workers, nurses, runners and new parents.",
    "We set goals together at the first visit and check them every few sessions.",
    "I speak plainly about what acupuncture can and cannot do for back pain.",
)
# Conditions most of the directory's practitioners list, so every city has someone for back and neck pain.
CORE_CONDITIONS = ("chronic-low-back-pain", "neck-pain", "sciatica", "upper-back-and-shoulder-tension")
# Carriers by how often listings take them; about a third of practices are cash only.
CARRIER_WEIGHTS = {
    "blue-cross-blue-shield": 10,
    "aetna": 8,
    "cigna": 7,
    "unitedhealthcare": 7,
    "american-specialty-health": 6,
    "optum": 5,
    "anthem-blue-cross": 4,
    "kaiser-permanente": 3,
    "workers-compensation": 4,
    "auto-insurance-pip": 4,
    "veterans-affairs-community-care": 2,
    "tricare": 1,
    "humana": 1,
    "medicaid-where-covered": 1,
}
PHOTO_SHARE = 0.85  # the rest have not uploaded a photo yet, as in any real directory


def pretty(slug: str) -> str:
    return slug.replace("-", " ")


@functools.cache
def _standard_zips_by_state() -> dict[str, list[tuple[str, str, float, float, str]]]:
    by_state: dict[str, list[tuple[str, str, float, float, str]]] = {}
    for row in geo.zip_rows():
        if row.get("zip_code_type") == "STANDARD":
            area = (row.get("area_codes") or ["555"])[0]
            by_state.setdefault(row["state"], []).append(
                (row["zip_code"], row["city"], float(row["lat"]), float(row["long"]), area)
            )
    return by_state


@functools.cache
def metro_zips(metro: Metro) -> tuple[tuple[str, str, float, float, str], ...]:
    """(zip, city, lat, lng, area code) of the standard ZIPs within the metro's radius, nearest first."""
    found = []
    for item in _standard_zips_by_state().get(metro.state, []):
        distance = geo.haversine_miles(metro.latitude, metro.longitude, item[2], item[3])
        if distance <= metro.radius:
            found.append((distance, item))
    if not found:
        raise ValueError(f"No ZIP within {metro.radius} miles of {metro.city}, {metro.state}.")
    return tuple(item for _, item in sorted(found))
