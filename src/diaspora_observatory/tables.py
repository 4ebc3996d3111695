"""The named analysis tables shared by the CLI (``diaspora show``), the report and the web app.

Each table says what kind of value each column holds (reported, derived or inferred; see
``analysis.provenance``, where ``DERIVED_FIELDS`` declares the formula and inputs of every column a table
computes and ``table_schema`` gives them as a Table Schema for ``diaspora show TABLE --schema``).
``build_table`` adds a ``provenance`` column from the declarations to a table that has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from diaspora_observatory.errors import UnknownTable

if TYPE_CHECKING:  # pandas and the analysis modules load only when a table is built
    import pandas as pd

    from diaspora_observatory.case.package import Case

# The names `diaspora show` offers; a test keeps this list equal to the builders below.
TABLE_NAMES = [
    "demography", "flows", "flow-summary", "periods", "repatriation", "education", "institutions", "survey",
    "claims", "sources", "estimates", "definitions", "birthplace-destinations", "birthplace-summary",
    "birthplace-over-time", "hosts-over-time",
    "cross-source", "stock-flows", "projections", "flow-forecast", "mirror-flows",
]


def _sources(case: Case) -> pd.DataFrame:
    return case.table("sources")


def _builders() -> dict[str, Callable[[Case], pd.DataFrame]]:
    from diaspora_observatory.analysis import claims, demography, flows, institutions, repatriation, survey

    return {
        "demography": demography.demography,
        "flows": flows.flows,
        "flow-summary": flows.flow_summary,
        "periods": flows.period_totals,
        "repatriation": repatriation.repatriation_profile,
        "education": repatriation.education_comparison,
        "institutions": institutions.institution_profile,
        "survey": survey.published_survey,
        "claims": claims.check_claims,
        "sources": _sources,
        "estimates": demography.size_history,
        **_import_builders(),
    }


def _import_builders() -> dict[str, Callable[[Case], pd.DataFrame]]:
    """Definitions side by side, cross-source checks, flows estimated from stocks, projections."""
    from diaspora_observatory.analysis import crosscheck, definitions, estimates, flows, projections, series

    return {
        "definitions": definitions.definitions,
        "birthplace-destinations": definitions.birthplace_destinations,
        "birthplace-summary": definitions.birthplace_summary,
        "birthplace-over-time": series.birthplace_over_time,
        "hosts-over-time": series.hosts_over_time,
        "cross-source": crosscheck.population_vs_reference,
        "stock-flows": estimates.stock_flows,
        "projections": projections.projections,
        "flow-forecast": projections.flow_forecast,
        "mirror-flows": flows.mirror_flows,
    }


def table_names() -> list[str]:
    return list(_builders())


def build_table(case: Case, name: str) -> pd.DataFrame:
    """Build the analysis table ``name`` for ``case``; raise UnknownTable for an unknown name."""
    builders = _builders()
    if name not in builders:
        raise UnknownTable(f"no table named {name!r}", f"choose one of {', '.join(builders)}")
    from diaspora_observatory.analysis.provenance import with_provenance

    return with_provenance(name, builders[name](case))


def table_schema(name: str, frame: pd.DataFrame) -> dict:
    """The Table Schema of the table ``name`` (see ``analysis.provenance.table_schema``)."""
    from diaspora_observatory.analysis.provenance import table_schema as schema

    return schema(name, frame)
