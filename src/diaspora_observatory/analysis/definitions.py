"""Definitions side by side: who counts as the diaspora depends on the definition, so each count is shown
with its label and explanation and never added to another.

- ``ethnicity``: people the host's statistics record as belonging to the diaspora's group (the study's
  census counts of ethnic Kazakhs), wherever they were born;
- ``birthplace``: people living in the host who were born in the origin (UN DESA's international migrant
  stock), whatever their ethnicity;
- ``citizenship``: citizens of the origin living in the host.

The shares of the birthplace tables carry the digits their counts justify (``significant_digits``,
``analysis.precision``): a stock UN DESA states to the person (the resource's ``"rounding": 1``) of 10 has
two, so its share of the world total is written ``0.00036``, not ``0.000358``; without that declaration a
trailing zero is read as rounding (one digit, ``0.0004``); a sum of stocks is known to the coarsest last place
among them (Taylor 1997, 2.8 and 3.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from diaspora_observatory.analysis import precision
from diaspora_observatory.countries import country_name

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

DEFINITIONS = ("ethnicity", "birthplace", "citizenship")
STOCK_RESOURCE = "birthplace_stock"
DEFINITION_COLUMNS = ["country", "country_name", "definition", "label", "count", "year", "source_id", "source",
                      "explanation"]
DESTINATION_COLUMNS = ["rank", "destination", "destination_name", "year", "stock", "share_of_world_pct",
                       "cumulative_share_pct", "is_host", "definition", "source_id", "significant_digits"]


# Each definition's label, by the structure it is built from: the origin's name, or the case's group. The
# presentation layer writes the same patterns in the reader's language (``presentation.definitions``).
LABEL_PATTERNS = {"ethnicity": "Ethnic {group}", "titular": "The titular ethnic group of {origin}",
                  "birthplace": "People born in {origin}", "citizenship": "Citizens of {origin}"}


def label_pattern(case: Case, definition: str) -> tuple[str, dict[str, str]]:
    """The key of ``LABEL_PATTERNS`` a definition's label is written with, and its fields (``origin``: the
    origin's ISO code; ``group``: the case's own word for its group, a data text)."""
    by_ethnicity = case.diaspora.get("definition") == "ethnicity"
    # A case defined by ethnicity names its group (Kazakhs); otherwise the group is the origin's titular one.
    group = case.diaspora.get("group_label", "") if by_ethnicity else ""
    if definition == "ethnicity":
        return ("ethnicity", {"group": group}) if group else ("titular", {"origin": case.origin})
    return definition, {"origin": case.origin}


def definition_label(case: Case, definition: str) -> str:
    """The English label of ``definition`` in ``case``: "People born in Kazakhstan"."""
    key, fields = label_pattern(case, definition)
    names = {name: country_name(value) if name == "origin" else value for name, value in fields.items()}
    return LABEL_PATTERNS[key].format(**names)


def _explanations(case: Case) -> dict[str, tuple[str, str, str]]:
    """Label, explanation when counted, explanation when absent, for each definition."""
    origin = country_name(case.origin)
    by_ethnicity = case.diaspora.get("definition") == "ethnicity"
    group = case.diaspora.get("group_label", "") if by_ethnicity else ""
    members = group or f"members of the titular ethnic group of {origin}"
    return {
        "ethnicity": (
            definition_label(case, "ethnicity"),
            f"People the host's census or statistics office records as {members} by ethnicity, wherever they "
            "were born.",
            f"The case has no count of {members} by ethnicity for this host."),
        "birthplace": (
            definition_label(case, "birthplace"),
            f"International migrants: people living in the host who were born in {origin}, whatever their "
            f"ethnicity or citizenship; {members} born in the host are not among them.",
            f"The case has no count of people born in {origin} living in this host."),
        "citizenship": (
            definition_label(case, "citizenship"),
            f"People living in the host who hold the citizenship of {origin}; where the producer counts "
            f"citizens because it lacks birthplace data (UN DESA data type C), the row says so.",
            f"The case has no count of citizens of {origin} living in this host"
            f"{' (the study gives none)' if by_ethnicity else ''}."),
    }


def _latest(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    return rows.sort_values("year").groupby(key, as_index=False).tail(1)


def _counts(case: Case) -> dict[str, pd.DataFrame]:
    """Per definition: one row per host (country, count, year, source_id), the latest year."""
    found: dict[str, list[pd.DataFrame]] = {d: [] for d in DEFINITIONS}
    population = case.table("population") if "population" in case.resource_names else pd.DataFrame()
    if not population.empty:
        diaspora = population[(population["group"] == "diaspora") & population["country"].isin(case.hosts)]
        for definition in DEFINITIONS:
            rows = diaspora[diaspora["definition"] == definition]
            found[definition].append(rows.rename(columns={"population": "count"})[
                ["country", "count", "year", "source_id"]])
    if STOCK_RESOURCE in case.resource_names:
        stock = case.table(STOCK_RESOURCE)
        stock = stock[(stock["origin"] == case.origin) & (stock["sex"] == "both")
                      & stock["destination"].isin(case.hosts)]
        for definition in ("birthplace", "citizenship"):
            rows = stock[stock["definition"] == definition].rename(columns={"destination": "country", "stock": "count"})
            # The imported stock takes precedence over a copy of it in the population table.
            found[definition].insert(0, rows[["country", "count", "year", "source_id"]])
    result = {}
    for definition, frames in found.items():
        frames = [_latest(f, "country") for f in frames if not f.empty]
        if frames:
            # The latest year of each source; the first source listed wins where both count a host.
            combined = pd.concat(frames, ignore_index=True).drop_duplicates("country", keep="first")
            result[definition] = combined.set_index("country")
        else:
            result[definition] = pd.DataFrame(columns=["count", "year", "source_id"])
    return result


def _citation(case: Case, source_id: str) -> str:
    source = case.sources.get(source_id, {})
    year = f" ({source['year']})" if source.get("year") else ""
    return f"{source.get('author', source_id)}{year}"


def definitions(case: Case) -> pd.DataFrame:
    """One row per host and definition (ethnicity, birthplace, citizenship): the count, its year and
    source, a label and an explanation. A definition the case has no count for keeps its row with an
    empty count and an explanation of the gap. Counts of different definitions are never summed.

    Columns ``DEFINITION_COLUMNS``.
    """
    texts = _explanations(case)
    # The one row of each host (_counts keeps one per host), read out of each frame once: a lookup per
    # host and definition was most of this table's time.
    counts = {definition: {host: {"count": count, "year": year, "source_id": source_id}
                           for host, count, year, source_id in zip(table.index, table["count"].tolist(),
                                                                   table["year"].tolist(),
                                                                   table["source_id"].tolist(), strict=True)}
              for definition, table in _counts(case).items()}
    rows = []
    for host in sorted(case.hosts):
        for definition in DEFINITIONS:
            label, explained, absent = texts[definition]
            if host in counts[definition]:
                found = counts[definition][host]
                rows.append({"country": host, "country_name": country_name(host), "definition": definition,
                             "label": label, "count": int(found["count"]), "year": int(found["year"]),
                             "source_id": found["source_id"], "source": _citation(case, found["source_id"]),
                             "explanation": explained})
            else:
                rows.append({"country": host, "country_name": country_name(host), "definition": definition,
                             "label": label, "count": None, "year": None, "source_id": None, "source": None,
                             "explanation": absent})
    frame = pd.DataFrame(rows, columns=DEFINITION_COLUMNS)
    frame["count"] = frame["count"].astype("Int64")
    frame["year"] = frame["year"].astype("Int64")
    return frame


def birthplace_destinations(case: Case) -> pd.DataFrame:
    """Every country of residence of the people born in the origin (latest year, both sexes), largest
    first, with its share of their world total. Empty when the case has no ``birthplace_stock``.

    Columns ``DESTINATION_COLUMNS``.
    """
    if STOCK_RESOURCE not in case.resource_names:
        return pd.DataFrame(columns=DESTINATION_COLUMNS)
    stock = case.table(STOCK_RESOURCE)
    stock = stock[(stock["origin"] == case.origin) & (stock["sex"] == "both")]
    if stock.empty:
        return pd.DataFrame(columns=DESTINATION_COLUMNS)
    stock = stock[stock["year"] == stock["year"].max()].sort_values(["stock", "destination"],
                                                                     ascending=[False, True]).reset_index(drop=True)
    total = stock["stock"].sum()
    stock["rank"] = range(1, len(stock) + 1)
    stock["destination_name"] = stock["destination"].map(country_name)
    stock["share_of_world_pct"] = 100 * stock["stock"] / total
    stock["cumulative_share_pct"] = stock["share_of_world_pct"].cumsum()
    stock["is_host"] = stock["destination"].isin(case.hosts)
    stock["significant_digits"] = _destination_digits(stock["stock"], _stock_place(case))
    return stock[DESTINATION_COLUMNS]


def _stock_place(case: Case) -> int | None:
    """The place the stock resource declares its counts stated to (UN DESA's: the person), else None."""
    return precision.declared_place(case.descriptor, STOCK_RESOURCE, "stock")


def _sum_digits(stocks: pd.Series, declared: int | None = None) -> int:
    """The significant digits of a sum of stocks: at the coarsest last place among them (Taylor 3.3)."""
    return precision.digits_at(stocks.sum(), precision.sum_place(precision.stated_place(value, declared)
                                                                 for value in stocks))


def _destination_digits(stocks: pd.Series, declared: int | None) -> list[str]:
    """Per destination: its share has the fewer digits of its stock and of the world total, and the
    cumulative share the fewer of the running sum and of the world total. ``declared`` is the place the
    resource says its counts are stated to (to the person: Liechtenstein's 10 has two digits, not one)."""
    total = _sum_digits(stocks, declared)
    texts = []
    for position, value in enumerate(stocks):
        texts.append(precision.digits_text({
            "share_of_world_pct": precision.quotient_digits(precision.stated_digits(value, declared), total),
            "cumulative_share_pct": precision.quotient_digits(_sum_digits(stocks.iloc[:position + 1], declared),
                                                              total)}))
    return texts


def birthplace_summary(case: Case) -> pd.DataFrame:
    """One row: the world total of people born in the origin living abroad (sum over the destinations
    in the case), how many live in the case's hosts, and the largest destination. Empty without stock data.
    """
    columns = ["year", "world_total", "destinations", "in_hosts", "in_hosts_share_pct", "largest_destination",
               "largest_destination_stock", "source_id", "coverage", "significant_digits"]
    destinations = birthplace_destinations(case)
    if destinations.empty:
        return pd.DataFrame(columns=columns)
    total = int(destinations["stock"].sum())
    in_hosts = int(destinations.loc[destinations["is_host"], "stock"].sum())
    hosts = destinations.loc[destinations["is_host"], "stock"]
    declared = _stock_place(case)
    world_digits = _sum_digits(destinations["stock"], declared)
    share_digits = precision.quotient_digits(_sum_digits(hosts, declared), world_digits) if len(hosts) else None
    return pd.DataFrame([{
        "year": int(destinations["year"].iloc[0]), "world_total": total, "destinations": len(destinations),
        "in_hosts": in_hosts, "in_hosts_share_pct": 100 * in_hosts / total if total else None,
        "largest_destination": destinations["destination"].iloc[0],
        "largest_destination_stock": int(destinations["stock"].iloc[0]),
        "source_id": ";".join(sorted(set(destinations["source_id"]))),
        "coverage": "Sum over the countries of residence the imported file lists (for the built-in case: UN "
                    "member states with a count above zero); areas that are not member states are not in it.",
        # the sums are written down to their coarsest term's place (every digit when stated to the person)
        "significant_digits": precision.digits_text(
            {"world_total": world_digits,
             "in_hosts": _sum_digits(hosts, declared) if len(hosts) else None, "in_hosts_share_pct": share_digits},
            counts=("world_total", "in_hosts")),
    }], columns=columns)
