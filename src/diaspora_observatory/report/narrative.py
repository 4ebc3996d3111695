"""The sentences of each report section, written from the computed values in the report's language.

Every number comes from an analysis table and is written by the presentation layer; a trend, slope or
change year is stated only when its test is significant at the table's level, and a value a source does
not give is said to be missing, never taken for a zero or a "no". The English sentences are the message
ids of the report's catalogs (``report/locale``); the Russian and Kazakh are their translations, worded
so that no count has to agree with a noun ("hosts: 4" rather than "4 hosts").
"""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.analysis import flows as flow_analysis
from diaspora_observatory.analysis.precision import read_digits
from diaspora_observatory.report.writer import Writer


def _has(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NA


def _digits(row: pd.Series, column: str) -> int | None:
    """The significant digits the row's ``significant_digits`` declares for ``column`` (None: the ceiling)."""
    return read_digits(row.get("significant_digits")).get(column)


def demography(demo: pd.DataFrame, summary: dict, writer: Writer) -> tuple[str, list[str]]:
    """How many live in the hosts, where most of them live, their shares; the world share as a range."""
    _ = writer._
    headline = _("{total} members of the diaspora live in the host countries ({hosts}, counts of {years}); "
                 "{largest_share} of them in {largest}.").format(
        total=writer.people(summary["regional_diaspora_total"], summary.get("regional_diaspora_total_digits")),
        hosts=", ".join(writer.country(code) for code in summary["hosts_by_size"]),
        years=writer.years(demo["year"].min(), demo["year"].max()),
        largest_share=writer.percent(summary["largest_host_share_pct"], summary.get("largest_host_share_digits")),
        largest=writer.country(summary["largest_host"]))
    ordered = demo.sort_values("diaspora_share_of_total_pct")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    low_share = writer.percent(low["diaspora_share_of_total_pct"], _digits(low, "diaspora_share_of_total_pct"))
    high_share = writer.percent(high["diaspora_share_of_total_pct"], _digits(high, "diaspora_share_of_total_pct"))
    others = demo["diaspora_share_of_others_pct"].dropna()
    by_others = demo.dropna(subset=["diaspora_share_of_others_pct"]).sort_values("diaspora_share_of_others_pct")
    if others.empty:  # a case whose sources give no titular nation (a birthplace count) has no such share
        details = [_("As a share of the host's whole population the diaspora ranges from {low_share} in "
                     "{low_country} to {high_share} in {high_country}.").format(
            low_share=low_share, low_country=writer.country(low["country"]), high_share=high_share,
            high_country=writer.country(high["country"]))]
    else:
        details = [_("As a share of the host's whole population the diaspora ranges from {low_share} in "
                     "{low_country} to {high_share} in {high_country}; of the groups other than the titular nation, "
                     "from {low_others} to {high_others}.").format(
            low_share=low_share, low_country=writer.country(low["country"]), high_share=high_share,
            high_country=writer.country(high["country"]),
            low_others=writer.percent(others.min(), _digits(by_others.iloc[0], "diaspora_share_of_others_pct")),
            high_others=writer.percent(others.max(), _digits(by_others.iloc[-1], "diaspora_share_of_others_pct")))]
    if _has(summary.get("share_of_world_diaspora_low_pct")):
        details.append(_("Against the world estimate of {world} members abroad they are {share} of the diaspora "
                         "abroad: a range, because the estimate is one.").format(
            world=writer.people_range(summary["world_estimate_low"], summary["world_estimate_high"]),
            share=writer.share_range(summary["share_of_world_diaspora_low_pct"],
                                     summary["share_of_world_diaspora_high_pct"],
                                     summary.get("share_of_world_diaspora_digits"))))
    details.append(_("The shares are computed here from the counts and populations of the sources; no statistics "
                     "office publishes them."))
    return headline, details


def estimates(table: pd.DataFrame, writer: Writer) -> list[str]:
    _ = writer._
    world = table[table["scope"] == "world"]
    paragraphs = [_("Each estimate of the diaspora's size is kept as its source gives it: its low and high ends "
                    "and its qualifier (about, more than, up to, a range).")]
    if len(world) > 1:
        lowest = world.sort_values("high").iloc[0]
        highest = world.sort_values("high").iloc[-1]
        paragraphs.append(_("Estimates of the whole diaspora abroad run from {low} ({low_years}) to {high} "
                            "({high_years}); where they cannot all hold at once, the check of the study's claims "
                            "says so.").format(
            low=writer.people_range(lowest["low"], lowest["high"]),
            low_years=writer.years(lowest["year_from"], lowest["year_to"]),
            high=writer.people_range(highest["low"], highest["high"]),
            high_years=writer.years(highest["year_from"], highest["year_to"])))
    return paragraphs


def trend_sentences(row: pd.Series, writer: Writer) -> str:
    """What the flow summary of one partner (or all) finds: a trend, slope or change year only when
    significant at the row's level; otherwise the sentence says there is none, with its p-value."""
    _ = writer._
    if row["net_trend"] in ("increasing", "decreasing"):
        text = _("The net flow is {trend} (Mann-Kendall test, {p}): Theil-Sen slope {slope} persons a year (95% "
                 "confidence interval {low} to {high}).").format(
            trend=writer.label("net_trend", row["net_trend"]), p=writer.p(row["net_trend_p_value"]),
            slope=writer.number(row["net_theil_sen_slope"], "rate"), low=writer.number(row["net_slope_low"], "rate"),
            high=writer.number(row["net_slope_high"], "rate"))
    else:
        text = _("The net flow shows no significant trend (Mann-Kendall test, {p}).").format(
            p=writer.p(row["net_trend_p_value"]))
    if row["immigration_change"] == flow_analysis.LEVEL_SHIFT:
        text += " " + _("Immigration settles at a new level from {year} (Pettitt's test, {p}).").format(
            year=int(row["immigration_change_year"]), p=writer.p(row["immigration_change_p_value"]))
    else:
        text += " " + _("Immigration shows no significant change in level (Pettitt's test, {p}).").format(
            p=writer.p(row["immigration_change_p_value"]))
    if row["emigration_change"] == flow_analysis.LEVEL_SHIFT:
        text += " " + _("Emigration settles at a new level from {year} (Pettitt's test, {p}).").format(
            year=int(row["emigration_change_year"]), p=writer.p(row["emigration_change_p_value"]))
    return text


def flows(summary: pd.DataFrame, writer: Writer) -> tuple[str, list[str]]:
    _ = writer._
    everyone = summary[summary["partner"] == flow_analysis.ALL_PARTNERS]
    row = everyone.iloc[0] if not everyone.empty else summary.iloc[0]
    partners = summary[summary["partner"] != flow_analysis.ALL_PARTNERS]
    headline = _("{years}: {immigration} persons moved to {origin} from its partners ({partners}) and {emigration} "
                 "the other way; net {net} in favour of {origin}.").format(
        years=writer.years(row["first_year"], row["last_year"]), immigration=writer.people(row["immigration_total"]),
        origin=writer.origin, partners=", ".join(writer.country(code) for code in partners["partner"]),
        emigration=writer.people(row["emigration_total"]), net=writer.people(row["net_total"]))
    if row["net_total"] < 0:
        headline = _("{years}: {immigration} persons moved to {origin} from its partners ({partners}) and "
                     "{emigration} the other way; net {net}, a loss for {origin}.").format(
            years=writer.years(row["first_year"], row["last_year"]),
            immigration=writer.people(row["immigration_total"]), origin=writer.origin,
            partners=", ".join(writer.country(code) for code in partners["partner"]),
            emigration=writer.people(row["emigration_total"]), net=writer.people(row["net_total"]))
    details = [trend_sentences(row, writer)]
    if len(partners) > 1:
        largest = partners.sort_values("net_total").iloc[-1]
        details.append(_("The largest net flow is with {partner}: {net}, {share} of the total.").format(
            partner=writer.country(largest["partner"]), net=writer.people(largest["net_total"]),
            share=writer.percent(100 * largest["net_total"] / row["net_total"]) if row["net_total"] else "–"))
    details.append(_("A trend, slope or change year is stated only when it is significant at the {level} level; "
                     "the appendix keeps every test's statistic and p-value.").format(
        level=writer.number(row["significance_level"], "level")))
    return headline, details


def repatriation(education: pd.DataFrame, profile: pd.DataFrame, writer: Writer) -> tuple[str, list[str]]:
    _ = writer._
    parts = []
    for column, group in (("emigrants_share_pct", _("Emigrants")), ("kandas_share_pct", _("Repatriates (kandas)"))):
        known = education.dropna(subset=[column])
        if known.empty:
            continue
        top = known.sort_values(column).iloc[-1]
        levels = _("level reported: {count}").format(count=writer.count(len(known)))
        parts.append(_("{group}: the largest group has {level} ({share}; {levels})").format(
            group=group, level=writer.label("education", top["education"]),
            share=writer.percent(top[column], _digits(top, column)),
            levels=levels))
    headline = _("By education. {parts}.").format(parts=". ".join(parts)) if parts else ""
    details = [_("Levels a source does not report are left empty, not counted as zero. Where the study gives no "
                 "year for a figure, the year shown is its source's and the value is marked inferred.")]
    inferred = profile["provenance"].astype(str).str.startswith("inferred").sum()
    if inferred:
        details.append(_("Figures with an inferred year: {count}.").format(count=writer.count(inferred)))
    return headline, details


def institutions(profile: pd.DataFrame, writer: Writer) -> tuple[str, list[str]]:
    _ = writer._
    per_host = "; ".join(_("{country}: {present} of {reported} reported").format(
        country=writer.country(row["country"]), present=writer.count(row["supports_present"]),
        reported=writer.count(row["supports_reported"])) for _i, row in profile.iterrows())
    headline = _("Supports of identity present (schooling, higher education, culture, organisation), counted over "
                 "what the sources report: {hosts}.").format(hosts=per_host)
    silent = int(profile["supports_not_reported"].sum())
    details = [_("A support no source mentions is not reported, neither present nor absent: {count} of the "
                 "host-support pairs are silent in the sources. A count no source gives is left empty.").format(
        count=writer.count(silent))]
    return headline, details


def survey(published: pd.DataFrame, writer: Writer) -> tuple[str, list[str]]:
    _ = writer._
    means = published[(published["statistic"] == "mean") & published["value"].notna()].sort_values("value")
    details = [_("The study's published aggregates; a value it shows only as an image is marked unavailable "
                 "rather than estimated.")]
    if means.empty:
        return "", details
    top, bottom = means.iloc[-1], means.iloc[0]
    respondents = published["n"].dropna()
    headline = _("Of the identity items the highest mean is {top_quoted} at {top} and the lowest {bottom_quoted} at "
                 "{bottom}, on a scale from 1 (not important) to 5 (very important); respondents: {n}.").format(
        top_quoted=writer.quoted(str(top["label"])), top=writer.decimals(top["value"], 1),
        bottom_quoted=writer.quoted(str(bottom["label"])), bottom=writer.decimals(bottom["value"], 1),
        n=writer.count(respondents.max()) if not respondents.empty else "–")
    unavailable = int((published["status"] == "unavailable").sum())
    if unavailable:
        details.append(_("Figures unavailable (shown in the study only as an image): {count}.").format(
            count=writer.count(unavailable)))
    return headline, details


def documents(documents_table: pd.DataFrame, themes: pd.DataFrame | None, writer: Writer) -> list[str]:
    _ = writer._
    paragraphs = [_("The documents the study reads: {count}, from {years}.").format(
        count=writer.count(len(documents_table)),
        years=writer.years(documents_table["year"].min(), documents_table["year"].max()))]
    if themes is not None and not themes.empty:
        gaps = themes[themes["present"] == False]  # noqa: E712 - a missing mark is neither True nor False
        paragraphs.append(_("Gaps the study points out (a theme a document does not cover): {gaps}.").format(
            gaps="; ".join(f"{writer.label('document_id', row['document_id'])}: {writer.label('theme', row['theme'])}"
                           for _i, row in gaps.iterrows()) or "–"))
    return paragraphs


FIRST_LISTED = 5  # a list of gaps in a sentence names this many and counts the rest, which are in the file


def first_of(items: list[str], total: int, path: str, writer: Writer) -> str:
    """The first ``FIRST_LISTED`` of ``items`` (the caller writes no more than these, of ``total``), then how
    many more there are and the file that holds them all."""
    shown = "; ".join(items[:FIRST_LISTED])
    if total <= FIRST_LISTED:
        return shown
    more = writer.count(total - FIRST_LISTED)
    return writer._("{items} and {more} more in {path}").format(items=shown, more=more, path=path)


def document_coding(tables: dict[str, pd.DataFrame], writer: Writer) -> list[str]:
    """The coded documents summarised: how many, their passages, the codes and documents with no coverage
    and the gaps, each counted exactly and the first few named; every row stays in tables/*.csv."""
    _ = writer._
    if "code-coverage" not in tables:
        return []
    per_code, matrix, gaps = tables["code-coverage"], tables["document-coverage"], tables["document-gaps"]
    codes = list(per_code["code"])
    paragraphs = [_("Coded documents: {documents}; codes: {codes}; coded passages: {passages}. How many documents "
                    "each code touches is in the table below; every document by every code in {path}.").format(
        documents=writer.count(len(matrix)), codes=writer.count(len(codes)),
        passages=writer.count(int(per_code["passages"].sum())), path="tables/document-coverage.csv")]
    untouched = [writer.label("code", code) for code in per_code.loc[per_code["documents_with_code"] == 0, "code"]]
    if untouched:
        paragraphs.append(_("Codes no coded document touches: {count} ({codes}).").format(
            count=writer.count(len(untouched)), codes="; ".join(untouched)))
    else:
        paragraphs.append(_("Every code is touched by at least one coded document."))
    empty = list(matrix.loc[(matrix[codes] == 0).all(axis=1), "document_id"])
    if empty:
        paragraphs.append(_("Coded documents that touch no code: {count} ({documents}).").format(
            count=writer.count(len(empty)), documents=first_of(empty, len(empty), "tables/document-coverage.csv",
                                                               writer)))
    if not gaps.empty:
        policy = gaps[gaps["policy"].astype(bool)]
        listed = policy if not policy.empty else gaps
        paragraphs.append(_("Gaps (a code a document does not touch): {count}; documents with a gap: {documents}; in "
                            "policy documents (laws, concepts, plans): {policy}; the first: {gaps}.").format(
            count=writer.count(len(gaps)), documents=writer.count(gaps["document_id"].nunique()),
            policy=writer.count(len(policy)),
            # only the gaps named are written (4,000 documents: 50,000 gaps)
            gaps=first_of([f"{row.document_id}: {writer.label('code', row.code)}"
                           for row in listed.head(FIRST_LISTED).itertuples()], len(listed), "tables/document-gaps.csv",
                          writer)))
    return paragraphs


def definitions(table: pd.DataFrame, summary: pd.DataFrame, writer: Writer) -> list[str]:
    _ = writer._
    paragraphs = [_("Who counts as the diaspora depends on the definition: the members of the ethnic group, the "
                    "people born in {origin} and its citizens are different populations, shown side by side and "
                    "never added.").format(origin=writer.origin)]
    if not summary.empty:
        row = summary.iloc[0]
        paragraphs.append(_("People born in {origin} living abroad in {year}: {total}, of them {share} in the host "
                            "countries.").format(origin=writer.origin, year=int(row["year"]),
                                                 total=writer.people(row["world_total"], _digits(row, "world_total")),
                                                 share=writer.percent(row["in_hosts_share_pct"],
                                                                      _digits(row, "in_hosts_share_pct"))))
    missing = table[table["count"].isna()]
    if not missing.empty:
        paragraphs.append(_("No count for: {pairs}.").format(pairs="; ".join(
            f"{writer.country(row['country'])} ({writer.label('definition', row['definition'])})"
            for _i, row in missing.iterrows())))
    return paragraphs


def cross_source(cross: pd.DataFrame, writer: Writer) -> list[str]:
    _ = writer._
    beyond = cross[cross["within_tolerance"] == False]  # noqa: E712 - a missing comparison is not a failure
    paragraphs = [_("The case's population totals against an independent reference for the same country and year: "
                    "compared {count}, beyond the tolerance {beyond}.").format(
        count=writer.count(len(cross)), beyond=writer.count(len(beyond)))]
    for _i, row in beyond.iterrows():
        paragraphs.append(difference_sentence(row, writer))
    return paragraphs


def difference_sentence(row: pd.Series, writer: Writer) -> str:
    """One cross-source difference beyond its tolerance, with both sources."""
    return writer._("{country}, {year}: {case_value} ({case_source}) against {reference_value} ({reference_source}), "
                    "a difference of {difference}, beyond the tolerance of {tolerance}.").format(
        country=writer.country(row["country"]), year=int(row["year"]), case_value=writer.people(row["case_value"]),
        case_source=writer.sources([row["case_source_id"]]) or row["case_source_id"],
        reference_value=writer.people(row["reference_value"]),
        reference_source=writer.sources([row["reference_source_id"]]) or row["reference_source_id"],
        difference=writer.percent(row["difference_pct"], _digits(row, "difference_pct")),
        tolerance=writer.percent(row["tolerance_pct"]))


def projections(last: pd.DataFrame, forecast: pd.DataFrame, writer: Writer) -> list[str]:
    _ = writer._
    year = int(last["year"].max())
    by_host = []
    for country, rows in last.groupby("country", sort=False):
        by_host.append(f"{writer.country(country)} {writer.people_range(rows['low'].min(), rows['high'].max())}")
    paragraphs = [_("Model results, not observations. In {year}, over every scenario and its range: {hosts}.").format(
        year=year, hosts="; ".join(by_host))]
    paragraphs.append(_("Each scenario's paths start from the ends of the base count's range (its rounding) and apply "
                        "stated annual rates of natural change, emigration into the diaspora and repatriation; the "
                        "parameters are in the appendix."))
    if not forecast.empty:
        paragraphs.append(_("The yearly flows are forecast to {year} by a random walk with drift fitted after each "
                            "series' last significant change in level, with {level} prediction intervals.").format(
            year=int(forecast["year"].max()), level=writer.number(forecast["level"].iloc[0], "level")))
    return paragraphs


def claims(claim_table: pd.DataFrame, writer: Writer) -> tuple[str, list[str]]:
    _ = writer._
    counts = claim_table["status"].value_counts()
    headline = _("Numeric statements of the study recomputed from the data: {total}; confirmed {confirmed}, "
                 "mismatch {mismatch}, unverifiable {unverifiable}.").format(
        total=writer.count(len(claim_table)), confirmed=writer.count(counts.get("confirmed", 0)),
        mismatch=writer.count(counts.get("mismatch", 0)), unverifiable=writer.count(counts.get("unverifiable", 0)))
    details = [_("Confirmed: the data cover what the statement speaks of and bear it out within the rounding of the "
                 "stated value. Mismatch: the data cover it and do not bear it out. Unverifiable: no data, or a "
                 "statement wider than the data. The table lists the mismatches; the appendix has every statement "
                 "with its note and, for one that cannot be checked, the reason.")]
    return headline, details
