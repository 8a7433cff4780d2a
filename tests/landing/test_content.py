"""The condition pages' reference text: one entry per condition, every source real and cited, aliases valid."""

import json
from pathlib import Path

from landing.content import CONDITION_ALIASES, CONDITION_CONTENT, HOME_CONDITIONS, SOURCES, sources_for

CONDITIONS = json.loads((Path(__file__).resolve().parents[2] / "fixtures/reference/conditions.json").read_text())
SLUGS = {row["slug"] for row in CONDITIONS}


def test_every_condition_has_its_text_and_nothing_else_does():
    assert set(CONDITION_CONTENT) == SLUGS


def test_every_entry_says_each_part_and_cites_known_sources():
    for slug, content in CONDITION_CONTENT.items():
        assert content.what_it_is and content.how_acupuncture_is_used and content.evidence, slug
        assert content.sources, slug
        assert all(key in SOURCES for key in content.sources), slug
        assert len(set(content.sources)) == len(content.sources), slug
        assert [source.url for source in sources_for(content)] == [SOURCES[key].url for key in content.sources]


def test_every_source_is_cited_and_has_an_https_address():
    cited = {key for content in CONDITION_CONTENT.values() for key in content.sources}
    assert cited == set(SOURCES)
    for source in SOURCES.values():
        assert source.url.startswith("https://") and source.title and source.publisher
        assert source.year is None or 2000 <= source.year <= 2026


def test_low_back_pain_cites_the_acp_guideline_and_cochrane():
    keys = CONDITION_CONTENT["chronic-low-back-pain"].sources
    assert "acp-2017" in keys and "cochrane-clbp-2020" in keys
    assert SOURCES["acp-2017"].url == "https://doi.org/10.7326/M16-2367"


def test_aliases_and_home_entries_name_real_conditions():
    assert set(CONDITION_ALIASES.values()) <= SLUGS
    assert not set(CONDITION_ALIASES) & SLUGS  # an alias never hides a condition's own page
    assert {slug for slug, _ in HOME_CONDITIONS} <= SLUGS
    assert [label for _, label in HOME_CONDITIONS[:3]] == ["Low back pain", "Sciatica", "Neck pain"]
