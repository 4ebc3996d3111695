"""World data the observatory ships, so a case for any origin can start offline with no file.

- :func:`migrant_stock`: UN DESA's bilateral migrant stocks, both sexes — the 2019 edition's series
  (1990, 1995, …, 2015, 2019) and the 2024 edition's mid-2024 table — one row per edition, year,
  destination and origin (ISO alpha-3), with the destination's data-type code (``B`` born abroad, ``C``
  foreign citizens, ``R`` refugees added, ``I`` imputed) and where that code comes from (reported by the
  same edition, or inferred from the 2020 edition for the 2019 one, whose cleaned matrix lost it).
  Editions revise earlier years, so a series never mixes two editions without saying so: every row
  names its edition.
- :func:`population`: World Bank WDI total population, 1960–2024, countries only.
- :func:`un_population`: UN DESA Population Division's total population (Table 2 of International
  Migrant Stock 2024: Destination), 1990, 1995, …, 2020, 2024, countries only: an independent reference
  for the World Bank's figures in a new case's cross-source check (another producer).

The files in ``data/`` are built from the published files by ``tools/build-world-data``, which records
their sources, licences, what was left out and why, and checksums in ``data/provenance.json``; a file
whose checksum differs is refused.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import pandas as pd

from diaspora_observatory.errors import DiasporaError

DATA = Path(__file__).resolve().parent / "data"
DEFINITIONS = {"B": "birthplace", "C": "citizenship", "I": "imputed"}


class WorldDataChanged(DiasporaError):
    """A shipped world-data file differs from the checksum recorded when it was built."""


@cache
def provenance() -> dict:
    """Sources, licences, what was left out, and checksums of the shipped world data."""
    return json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))


def _read(name: str) -> pd.DataFrame:
    path = DATA / name
    expected = provenance()["outputs"][name]
    found = hashlib.sha256(path.read_bytes()).hexdigest()
    if found != expected:
        raise WorldDataChanged(f"{path} has changed since it was built (sha256 {found[:12]}…, recorded "
                               f"{expected[:12]}…)", "reinstall the package, or rebuild it with tools/build-world-data")
    return pd.read_csv(path, dtype={"edition": str, "data_type": str}, keep_default_na=False)


@cache
def _stock() -> pd.DataFrame:
    table = _read("undesa_stock.csv.gz")
    table["definition"] = table["data_type"].map(lambda code: DEFINITIONS.get(code.split()[0], "") if code else "")
    table["refugees_added"] = table["data_type"].str.contains("R")
    return table


def migrant_stock(*, origin: str | None = None, edition: str | None = None) -> pd.DataFrame:
    """UN DESA's bilateral stocks (see the module's docstring), optionally of one origin or one edition.

    Columns: edition, year, destination, origin, stock, data_type, type_provenance, definition,
    refugees_added.
    """
    table = _stock()
    if origin is not None:
        table = table[table["origin"] == origin]
    if edition is not None:
        table = table[table["edition"] == edition]
    return table.reset_index(drop=True)


def largest_destinations(origin: str, count: int, *, edition: str = "2024") -> pd.DataFrame:
    """The ``count`` destinations with the most people born in ``origin`` in the latest year of ``edition``."""
    table = migrant_stock(origin=origin, edition=edition)
    latest = table[table["year"] == table["year"].max()]
    return latest.sort_values(["stock", "destination"], ascending=[False, True]).head(count).reset_index(drop=True)


@cache
def population() -> pd.DataFrame:
    """World Bank WDI total population (SP.POP.TOTL) by country (alpha-3) and year, countries only."""
    return _read("population.csv.gz")


@cache
def un_population() -> pd.DataFrame:
    """UN DESA's total population by country (alpha-3) and year (see the module's docstring)."""
    return _read("un_population.csv.gz")
