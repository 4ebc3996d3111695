"""Where the people born in the origin live over time: UN DESA's migrant stock edition by edition.

UN DESA revises earlier years with every edition (the 2019 edition counts 591,211 people born in
Kyrgyzstan in Russia in 2019, the 2024 edition 333,664 in 2024), so a series never joins two editions:
each row names its ``edition`` and a chart draws each edition as a series of its own.

The values are the case's ``birthplace_stock``. An edition the case does not hold, but whose source it
cites (``undesa-ims-2019``), is taken from the world data the package ships (``world.migrant_stock``) and
marked ``held_in`` = ``built-in world data`` (the built-in case holds the 2024 table only; its 1990-2019
series comes from there). A stock without an
``edition`` column (a case imported before it existed) is labelled ``edition not recorded``, never guessed.

- :func:`birthplace_over_time`: the world total per edition and year (sum over the destinations listed);
- :func:`hosts_over_time`: per host and year, the birthplace count of each edition beside the case's
  counts by other definitions (the study's ethnic counts), each labelled with its definition; never summed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from diaspora_observatory.countries import country_name

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

STOCK_RESOURCE = "birthplace_stock"
NOT_RECORDED = "edition not recorded"
IN_CASE, IN_WORLD_DATA = "case", "built-in world data"
WORLD_COLUMNS = ["edition", "year", "world_total", "destinations", "citizen_destinations", "held_in", "source_id"]
HOST_COLUMNS = ["country", "country_name", "year", "count", "definition", "edition", "held_in", "source_id"]
# The source of each edition built into the package, as `diaspora case new` names it in a new case.
WORLD_SOURCE_IDS = {"2019": "undesa-ims-2019", "2024": "undesa-ims-2024"}


def stock_series(case: Case) -> pd.DataFrame:
    """Both-sexes stock of people born in the case's origin, every year and edition there is.

    Columns: destination, year, stock, definition, edition, held_in, source_id.
    """
    columns = ["destination", "year", "stock", "definition", "edition", "held_in", "source_id"]
    frames = []
    held: set[str] = set()
    if STOCK_RESOURCE in case.resource_names:
        stock = case.table(STOCK_RESOURCE)
        stock = stock[(stock["origin"] == case.origin) & (stock["sex"] == "both")].copy()
        if "edition" not in stock.columns:
            stock["edition"] = NOT_RECORDED
        stock["edition"] = stock["edition"].fillna("").astype(str).replace("", NOT_RECORDED)
        stock["definition"] = stock["definition"].fillna("birthplace").replace("", "birthplace")
        stock["held_in"] = IN_CASE
        held = set(stock["edition"])
        frames.append(stock[columns])
    if NOT_RECORDED not in held and case.origin:
        from diaspora_observatory import world

        rows = world.migrant_stock(origin=case.origin)
        # only an edition whose source the case cites, so that every value drawn is credited on the page
        cited = [edition for edition, source_id in WORLD_SOURCE_IDS.items() if source_id in case.sources]
        rows = rows[~rows["edition"].isin(held) & rows["edition"].isin(cited)]
        if not rows.empty:
            # the case's own rule for a definition: citizens where the host's type of data is C
            definition = rows["data_type"].map(lambda code: "citizenship" if "C" in str(code).split() else "birthplace")
            frames.append(pd.DataFrame({"destination": rows["destination"], "year": rows["year"],
                                        "stock": rows["stock"], "definition": definition,
                                        "edition": rows["edition"], "held_in": IN_WORLD_DATA,
                                        "source_id": rows["edition"].map(WORLD_SOURCE_IDS)}))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    table["stock"] = table["stock"].astype(int)
    return table.sort_values(["edition", "year", "destination"]).reset_index(drop=True)


def birthplace_over_time(case: Case) -> pd.DataFrame:
    """The world total of people born in the origin living abroad, per edition and year: the sum over the
    destinations the edition lists: birthplace where the host counts it, citizens where it counts only
    them, as UN DESA does (``citizen_destinations`` says how many). Columns ``WORLD_COLUMNS``."""
    stock = stock_series(case)
    if stock.empty:
        return pd.DataFrame(columns=WORLD_COLUMNS)
    grouped = stock.groupby(["edition", "year"], as_index=False).agg(
        world_total=("stock", "sum"), destinations=("destination", "nunique"),
        held_in=("held_in", "first"), source_id=("source_id", "first"),
        citizen_destinations=("definition", lambda values: int((values == "citizenship").sum())))
    grouped["world_total"] = grouped["world_total"].astype(int)
    return grouped[WORLD_COLUMNS]


def hosts_over_time(case: Case) -> pd.DataFrame:
    """Per host and year: the UN DESA count of each edition and the case's own counts by another definition
    (the population resource's diaspora rows by ethnicity), side by side and labelled, never summed.
    Columns ``HOST_COLUMNS``."""
    stock = stock_series(case)
    stock = stock[stock["destination"].isin(case.hosts)].rename(columns={"destination": "country", "stock": "count"})
    frames = []
    if not stock.empty:
        frames.append(stock)
    if case.has("population"):
        population = case.table("population")
        other = population[(population["group"] == "diaspora") & population["country"].isin(case.hosts)
                           & (population["definition"] == "ethnicity")]
        if not other.empty:
            frames.append(pd.DataFrame({
                "country": other["country"], "year": other["year"].astype(int),
                "count": other["population"].astype(int), "definition": "ethnicity", "edition": "",
                "held_in": IN_CASE, "source_id": other["source_id"]}))
    if not frames:
        return pd.DataFrame(columns=HOST_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["country_name"] = table["country"].map(country_name)
    return table.sort_values(["country", "definition", "edition", "year"]).reset_index(drop=True)[HOST_COLUMNS]
