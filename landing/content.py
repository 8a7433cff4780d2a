"""What each condition page says: plain-language reference text with its sources (data, not templates).

Written cautiously: what the condition is, how acupuncturists use acupuncture for it, and what the
best-known reviews and guidelines found, including where they found little or nothing. Every
statement about evidence names its source in `sources`. A condition in `fixtures/reference/conditions.json`
without an entry here fails `tests/landing/test_content.py`, so a new condition gets its text.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str  # the journal, guideline body or agency
    year: int | None  # None: a web page its publisher keeps updating
    url: str


@dataclass(frozen=True)
class ConditionContent:
    what_it_is: str
    how_acupuncture_is_used: str
    evidence: tuple[str, ...]  # paragraphs in plain words
    sources: tuple[str, ...]  # keys of SOURCES


SOURCES: dict[str, Source] = {
    "acp-2017": Source(
        "Noninvasive treatments for acute, subacute, and chronic low back pain: a clinical practice guideline "
        "from the American College of Physicians (Qaseem A, et al.)",
        "Annals of Internal Medicine",
        2017,
        "https://doi.org/10.7326/M16-2367",
    ),
    "chou-2017": Source(
        "Nonpharmacologic therapies for low back pain: a systematic review for an American College of "
        "Physicians clinical practice guideline (Chou R, et al.)",
        "Annals of Internal Medicine",
        2017,
        "https://doi.org/10.7326/M16-2459",
    ),
    "cochrane-clbp-2020": Source(
        "Acupuncture for chronic nonspecific low back pain (Mu J, Furlan AD, et al.)",
        "Cochrane Database of Systematic Reviews",
        2020,
        "https://doi.org/10.1002/14651858.CD013814",
    ),
    "cochrane-lbp-2005": Source(
        "Acupuncture and dry-needling for low back pain (Furlan AD, et al.)",
        "Cochrane Database of Systematic Reviews",
        2005,
        "https://doi.org/10.1002/14651858.CD001351.pub2",
    ),
    "cochrane-neck-2016": Source(
        "Acupuncture for neck disorders (Trinh K, et al.)",
        "Cochrane Database of Systematic Reviews",
        2016,
        "https://doi.org/10.1002/14651858.CD004870.pub4",
    ),
    "cochrane-tth-2016": Source(
        "Acupuncture for the prevention of tension-type headache (Linde K, et al.)",
        "Cochrane Database of Systematic Reviews",
        2016,
        "https://doi.org/10.1002/14651858.CD007587.pub2",
    ),
    "vickers-2018": Source(
        "Acupuncture for chronic pain: update of an individual patient data meta-analysis "
        "(Vickers AJ, et al., Acupuncture Trialists' Collaboration)",
        "The Journal of Pain",
        2018,
        "https://doi.org/10.1016/j.jpain.2017.11.005",
    ),
    "nice-ng59": Source(
        "Low back pain and sciatica in over 16s: assessment and management (NG59)",
        "National Institute for Health and Care Excellence (UK)",
        2016,
        "https://www.nice.org.uk/guidance/ng59",
    ),
    "nice-cg150": Source(
        "Headaches in over 12s: diagnosis and management (CG150)",
        "National Institute for Health and Care Excellence (UK)",
        2012,
        "https://www.nice.org.uk/guidance/cg150",
    ),
    "nice-ng193": Source(
        "Chronic pain (primary and secondary) in over 16s: assessment of all chronic pain and management "
        "of chronic primary pain (NG193)",
        "National Institute for Health and Care Excellence (UK)",
        2021,
        "https://www.nice.org.uk/guidance/ng193",
    ),
    "nccih-lbp": Source(
        "Low-back pain and complementary health approaches: what you need to know",
        "National Center for Complementary and Integrative Health (NIH)",
        None,
        "https://www.nccih.nih.gov/health/low-back-pain-and-complementary-health-approaches-what-you-need-to-know",
    ),
    "nccih-acupuncture": Source(
        "Acupuncture: what you need to know",
        "National Center for Complementary and Integrative Health (NIH)",
        None,
        "https://www.nccih.nih.gov/health/acupuncture-what-you-need-to-know",
    ),
    "cms-2020": Source(
        "Decision memo: acupuncture for chronic low back pain (CAG-00452N)",
        "Centers for Medicare & Medicaid Services",
        2020,
        "https://www.cms.gov/medicare-coverage-database/view/ncacal-decision-memo.aspx?proposed=N&NCAId=295",
    ),
}

# Said on every page whose condition has no trial evidence of its own.
_BORROWED = (
    "We know of no large, high-quality review of acupuncture for this condition on its own. What exists "
    "is evidence for back or neck pain in general, which may or may not apply to you."
)
_SEE_A_DOCTOR = (
    "See a doctor first if the pain follows an injury, keeps getting worse, or comes with numbness or weakness."
)
_LBP_GENERAL = (
    "For chronic low back pain, the American College of Physicians' 2017 guideline recommends choosing "
    "non-drug treatments first and names acupuncture among them (it rated the evidence for acupuncture "
    "of moderate quality)."
)

CONDITION_CONTENT: dict[str, ConditionContent] = {
    "neck-pain": ConditionContent(
        what_it_is=(
            "Pain and stiffness in the neck, often from muscles and joints strained by posture, work or sleep. "
            "Most neck pain settles within weeks; some keeps coming back or lasts months."
        ),
        how_acupuncture_is_used=(
            "Acupuncturists place fine needles in the neck, shoulders and hands, sometimes with gentle electrical "
            "stimulation or heat, usually once or twice a week over several weeks."
        ),
        evidence=(
            "A 2016 Cochrane review found that people with chronic neck pain had less pain right after a course "
            "of acupuncture than people given some sham treatments or none, with moderate-quality evidence; the effect "
            "over the longer term is less certain.",
            "A large 2018 analysis of individual patients' data from trials of chronic pain, neck pain included, "
            "found acupuncture better than sham acupuncture and than no acupuncture, with a modest difference "
            "between real and sham needling.",
            _SEE_A_DOCTOR,
        ),
        sources=("cochrane-neck-2016", "vickers-2018", "nccih-acupuncture"),
    ),
    "chronic-low-back-pain": ConditionContent(
        what_it_is=(
            "Pain in the lower back that has lasted more than about 12 weeks. In most people no single cause "
            "shows on a scan; doctors call this non-specific low back pain."
        ),
        how_acupuncture_is_used=(
            "A typical course is weekly or twice-weekly sessions for 6 to 12 weeks, with needles in the back, "
            "hips and legs; many acupuncturists add electroacupuncture, cupping or heat."
        ),
        evidence=(
            _LBP_GENERAL,
            "A 2020 Cochrane review found that acupuncture may reduce pain and improve function right after "
            "treatment compared with no treatment, but that the difference from sham acupuncture is small and "
            "may not matter to patients; the evidence was mostly of low certainty.",
            "Since January 2020 Medicare covers acupuncture for chronic low back pain (up to 12 sessions in 90 "
            "days, 8 more if you improve), given by a qualified practitioner under a supervising provider.",
            "The UK's NICE guideline (2016) advises against acupuncture for low back pain: guidelines weigh the "
            "same small effects differently.",
        ),
        sources=("acp-2017", "cochrane-clbp-2020", "cms-2020", "nice-ng59", "nccih-lbp"),
    ),
    "acute-low-back-pain": ConditionContent(
        what_it_is=(
            "Low back pain that started within the last few weeks. Most acute back pain improves on its own "
            "within a month or so, whatever the treatment."
        ),
        how_acupuncture_is_used=(
            "A few sessions over one to three weeks, alongside staying active; acupuncturists often combine "
            "needling with cupping or massage."
        ),
        evidence=(
            "The American College of Physicians' 2017 guideline recommends non-drug treatment first for acute "
            "low back pain: heat, massage, acupuncture or spinal manipulation. It rated the evidence for "
            "acupuncture of low quality.",
            "NCCIH summarises the evidence for acupuncture in acute low back pain as low-quality.",
            _SEE_A_DOCTOR,
        ),
        sources=("acp-2017", "chou-2017", "nccih-lbp"),
    ),
    "sciatica": ConditionContent(
        what_it_is=(
            "Pain that runs from the lower back or buttock down one leg, caused by irritation of a nerve root, "
            "most often by a disc. Many cases ease over weeks to months."
        ),
        how_acupuncture_is_used=(
            "Needles along the lower back, buttock and leg, often with electroacupuncture, usually weekly or "
            "twice weekly for several weeks."
        ),
        evidence=(
            "Trials of acupuncture for sciatica are fewer and smaller than for low back pain in general, and "
            "their results vary. The UK's NICE guideline on low back pain and sciatica (2016) advises against "
            "acupuncture for either.",
            "Sudden weakness in a leg, numbness between the legs, or trouble controlling the bladder or bowel "
            "need urgent medical care, not acupuncture.",
        ),
        sources=("nice-ng59", "cochrane-lbp-2005", "nccih-acupuncture"),
    ),
    "whiplash": ConditionContent(
        what_it_is=(
            "Neck pain and stiffness after the head is jolted back and forth, most often in a car crash. Most "
            "people recover within weeks to a few months."
        ),
        how_acupuncture_is_used=(
            "Usually once the first days have passed and a doctor has ruled out a fracture: needles in the neck "
            "and shoulders, often with heat or gentle stimulation."
        ),
        evidence=(
            _BORROWED,
            "The 2016 Cochrane review of acupuncture for neck disorders found moderate-quality evidence of less "
            "pain right after treatment for chronic neck pain; trials in whiplash specifically were few.",
            _SEE_A_DOCTOR,
        ),
        sources=("cochrane-neck-2016", "nccih-acupuncture"),
    ),
    "herniated-or-bulging-disc": ConditionContent(
        what_it_is=(
            "A disc between two vertebrae bulges or tears and may press on a nerve, causing back or neck pain "
            "and sometimes pain down an arm or leg. Scans often show bulging discs in people with no pain at all."
        ),
        how_acupuncture_is_used=(
            "Needles near the affected level of the spine and along the painful arm or leg, often with "
            "electroacupuncture, over several weeks."
        ),
        evidence=(
            _BORROWED,
            "Reviews of acupuncture for low back pain include some people with disc problems; the UK's NICE "
            "guideline on low back pain and sciatica (2016) advises against acupuncture for either.",
            "Weakness, numbness between the legs, or bladder or bowel changes need urgent medical care.",
        ),
        sources=("cochrane-lbp-2005", "nice-ng59", "nccih-acupuncture"),
    ),
    "degenerative-disc-disease": ConditionContent(
        what_it_is=(
            "Age-related wear of the discs of the spine. Most adults show some on a scan; it causes pain in some "
            "people and none in others."
        ),
        how_acupuncture_is_used="Treated like chronic back or neck pain: a course of weekly sessions over several weeks.",
        evidence=(_BORROWED, _LBP_GENERAL),
        sources=("acp-2017", "cochrane-clbp-2020", "nccih-lbp"),
    ),
    "spinal-stenosis": ConditionContent(
        what_it_is=(
            "Narrowing of the spinal canal, usually with age, that can squeeze nerves and cause back pain and "
            "leg pain or heaviness when standing or walking, eased by sitting or bending forward."
        ),
        how_acupuncture_is_used="Needles in the lower back and legs, often with electroacupuncture, over several weeks.",
        evidence=(
            _BORROWED,
            "Trials of acupuncture for spinal stenosis are few and small, so no firm conclusion can be drawn.",
            _SEE_A_DOCTOR,
        ),
        sources=("nccih-lbp", "nccih-acupuncture"),
    ),
    "upper-back-and-shoulder-tension": ConditionContent(
        what_it_is=(
            "Tight, aching muscles across the upper back and shoulders, often linked to desk work, stress or posture."
        ),
        how_acupuncture_is_used=(
            "Needles in the tight muscles and points on the neck and shoulders, often with cupping, gua sha or massage."
        ),
        evidence=(
            _BORROWED,
            "The 2016 Cochrane review of neck disorders and the 2018 analysis of chronic pain trials are the "
            "closest evidence; both found modest benefits over sham treatment.",
        ),
        sources=("cochrane-neck-2016", "vickers-2018"),
    ),
    "tension-headache": ConditionContent(
        what_it_is=(
            "The most common headache: a pressing or tight pain on both sides of the head, often with tight neck "
            "muscles. It is called chronic when it happens on 15 or more days a month."
        ),
        how_acupuncture_is_used="Usually a course of 6 to 10 sessions over several weeks to make headaches less frequent.",
        evidence=(
            "A 2016 Cochrane review found that acupuncture can make frequent tension-type headaches less frequent, "
            "with moderate-quality evidence, and that it did a little better than sham acupuncture.",
            "The UK's NICE guideline on headaches suggests considering a course of up to 10 sessions over 5 to 8 "
            "weeks to prevent chronic tension-type headache.",
            "A sudden, severe or new kind of headache needs a doctor first.",
        ),
        sources=("cochrane-tth-2016", "nice-cg150"),
    ),
    "post-surgical-back-pain": ConditionContent(
        what_it_is=(
            "Back pain that continues or returns after spine surgery; doctors sometimes call it persistent spinal "
            "pain syndrome."
        ),
        how_acupuncture_is_used=(
            "Needles away from the surgical site and along the back and legs, agreed with the surgeon, over "
            "several weeks."
        ),
        evidence=(
            _BORROWED,
            "Trials in people with pain after spine surgery are few. Ask your surgeon before starting, and tell "
            "the acupuncturist about any implants.",
        ),
        sources=("nccih-lbp", "nccih-acupuncture"),
    ),
    "facet-joint-pain": ConditionContent(
        what_it_is=("Pain from the small joints at the back of the spine, often worse when leaning back or twisting."),
        how_acupuncture_is_used="Needles near the painful joints and in the surrounding muscles, over several weeks.",
        evidence=(_BORROWED, _LBP_GENERAL),
        sources=("acp-2017", "cochrane-clbp-2020"),
    ),
    "sacroiliac-joint-pain": ConditionContent(
        what_it_is=(
            "Pain from the joints where the spine meets the pelvis, felt low in the back or buttock, sometimes "
            "in pregnancy or after a fall."
        ),
        how_acupuncture_is_used="Needles around the pelvis, buttock and lower back, over several weeks.",
        evidence=(_BORROWED, _LBP_GENERAL),
        sources=("acp-2017", "cochrane-clbp-2020", "nccih-acupuncture"),
    ),
    "scoliosis-related-pain": ConditionContent(
        what_it_is="Back pain in people whose spine curves sideways. Acupuncture does not change the curve itself.",
        how_acupuncture_is_used="Needles in tight or painful muscles along the curve, over several weeks.",
        evidence=(
            _BORROWED,
            "Trials of acupuncture for pain with scoliosis are very few; no conclusion can be drawn from them.",
        ),
        sources=("nccih-lbp", "nccih-acupuncture"),
    ),
    "myofascial-pain": ConditionContent(
        what_it_is=(
            "Pain from tight bands and tender 'trigger points' in muscles, felt locally or referred elsewhere, "
            "for example from the shoulder into the head."
        ),
        how_acupuncture_is_used=(
            "Needling of the tender points themselves (trigger-point needling, also called dry needling) or of "
            "traditional points, often with massage or heat."
        ),
        evidence=(
            "For chronic primary pain, which includes long-lasting muscle pain without another cause, the UK's "
            "NICE guideline (2021) suggests considering a single course of acupuncture or dry needling.",
            "The 2018 analysis of chronic pain trials found acupuncture better than sham acupuncture for "
            "musculoskeletal pain, with a modest difference.",
        ),
        sources=("nice-ng193", "vickers-2018"),
    ),
}

# Other slugs people use for a condition page -> the condition's slug (a 301 to the canonical page).
CONDITION_ALIASES: dict[str, str] = {
    "low-back-pain": "chronic-low-back-pain",
    "back-pain": "chronic-low-back-pain",
    "lower-back-pain": "chronic-low-back-pain",
    "herniated-disc": "herniated-or-bulging-disc",
    "bulging-disc": "herniated-or-bulging-disc",
    "slipped-disc": "herniated-or-bulging-disc",
    "stenosis": "spinal-stenosis",
    "headache": "tension-headache",
    "tension-headaches": "tension-headache",
    "trigger-points": "myofascial-pain",
}

# The home page's entry points by condition, in this order (the words people search with).
HOME_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("chronic-low-back-pain", "Low back pain"),
    ("sciatica", "Sciatica"),
    ("neck-pain", "Neck pain"),
    ("herniated-or-bulging-disc", "Herniated disc"),
    ("tension-headache", "Tension headache"),
    ("whiplash", "Whiplash"),
    ("spinal-stenosis", "Spinal stenosis"),
    ("upper-back-and-shoulder-tension", "Shoulder tension"),
)


def sources_for(content: ConditionContent) -> list[Source]:
    return [SOURCES[key] for key in content.sources]
