"""Evidence in three states (present, absent, not reported) and key figures credited as what they are."""

import pytest

from casefiles import replace_in
from diaspora_observatory import load_case
from diaspora_observatory.analysis import institutions, overview


@pytest.fixture(scope="module")
def profile(case):
    return institutions.institution_profile(case).set_index("country")


def test_silence_is_not_absence(profile):
    """The study names no cultural centre in Uzbekistan: not reported, not "no"."""
    assert profile.loc["UZB", "support_culture"] == "not_reported"
    assert profile.loc["UZB", "support_schooling"] == "present"  # 370 bilingual schools
    # Tajikistan and Turkmenistan: sources say schooling in Kazakh is absent.
    assert profile.loc["TJK", "support_schooling"] == "absent" and profile.loc["TKM", "support_schooling"] == "absent"
    # Kyrgyzstan: a university branch is reported, schooling is not.
    assert profile.loc["KGZ", "support_schooling"] == "not_reported"
    assert set(profile[[f"support_{s}" for s in institutions.SUPPORTS]].stack()) <= set(institutions.EVIDENCE_STATES)


def test_an_unknown_count_is_empty_and_a_stated_none_is_zero(profile):
    assert profile.loc["TKM", "cultural_programme_count"] is None  # the embassy gives no count
    assert profile.loc["TKM", "unknown_counts"] == "cultural_programme"
    assert profile.loc["UZB", "cultural_centre_count"] is None    # nothing reported
    assert profile.loc["TJK", "kazakh_school_count"] == 0          # the source says there is none
    assert profile.loc["UZB", "bilingual_school_count"] == 370


def test_scores_count_only_what_is_reported(profile):
    tallies = profile[["supports_present", "supports_absent", "supports_not_reported", "supports_reported"]]
    assert tallies.to_dict("index") == {
        "KGZ": {"supports_present": 3, "supports_absent": 0, "supports_not_reported": 1, "supports_reported": 3},
        "TJK": {"supports_present": 1, "supports_absent": 1, "supports_not_reported": 2, "supports_reported": 2},
        "TKM": {"supports_present": 1, "supports_absent": 1, "supports_not_reported": 2, "supports_reported": 2},
        "UZB": {"supports_present": 2, "supports_absent": 0, "supports_not_reported": 2, "supports_reported": 2},
    }
    # On what the sources report, Uzbekistan has every support they speak of: it does not rank below Kyrgyzstan.
    share = profile["supports_present"] / profile["supports_reported"]
    assert share["UZB"] >= share["KGZ"]


def test_a_count_of_zero_in_the_sources_is_absent(case_copy):
    path = case_copy / "data" / "institutions.csv"
    path.write_text(path.read_text(encoding="utf-8") + "UZB,association,Association of Kazakhs,0,exact,2024,,"
                    "embassy-uz-2024,A test row: the source saying there is none.\n", encoding="utf-8")
    row = institutions.institution_profile(load_case(case_copy)).set_index("country").loc["UZB"]
    assert row["support_organisation"] == "absent" and row["association_count"] == 0
    assert row["supports_reported"] == 3


@pytest.fixture(scope="module")
def figures(case):
    return overview.key_figures(case).set_index("figure")


def test_key_figures_say_what_kind_they_are(figures):
    assert figures.loc["net_migration_total", "value"] == 450810
    assert figures.loc["net_migration_total", "provenance"] == "derived"
    assert figures.loc["net_migration_total", "formula"] == (
        "sum of immigration − emigration over 4 partners × 24 years (96 partner-years)")
    assert figures.loc["net_migration_total", "source_ids"] == "bns-2024a"
    assert figures.loc["regional_diaspora_total", "provenance"] == "derived"
    assert figures.loc["world_diaspora_estimate", "provenance"] == "reported"


def test_a_range_has_no_midpoint(figures):
    """5-7 million is not 6,000,000, and 12.39-17.34% is not 14.87%."""
    for figure in ("world_diaspora_estimate", "share_of_world_diaspora"):
        assert figures.loc[figure, "value"] != figures.loc[figure, "value"]  # NaN: none given
    assert (figures.loc["world_diaspora_estimate", "low"], figures.loc["world_diaspora_estimate", "high"]) == (
        5_000_000, 7_000_000)


def test_no_invented_year_on_a_key_figure(figures):
    """The study gives no year for its 8,758 kandas: shown without one, not as a fall from 2023's 21,300."""
    assert (figures.loc["repatriates", "value"], figures.loc["repatriates", "detail"]) == (21300, "2023")
    kandas = figures.loc["kandas_status"]
    assert (kandas["value"], kandas["detail"], kandas["provenance"]) == (8758, "", "inferred")
    assert kandas["note"] == "The study gives no year or period for this count; none is shown."


def test_a_dated_kandas_count_becomes_the_repatriates_figure(case_copy):
    replace_in(case_copy / "data" / "repatriation.csv", "2024,kandas,total,all,8758,persons,ccs-2024,inferred,",
               "2024,kandas,total,all,8758,persons,ccs-2024,reported,")
    figures = overview.key_figures(load_case(case_copy)).set_index("figure")
    assert (figures.loc["repatriates", "value"], figures.loc["repatriates", "detail"]) == (8758, "2024")
    assert "kandas_status" not in figures.index
