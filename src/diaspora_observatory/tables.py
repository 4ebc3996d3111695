"""The named analysis tables shared by the CLI (``diaspora show``), the report and the web app.

Each table says what kind of value each column holds (reported, derived or inferred; see
``analysis.provenance``). ``DERIVED_FIELDS`` declares the formula and inputs of every column a table
computes; ``table_schema`` turns them into a Table Schema whose fields carry a ``derived`` property
(``diaspora show TABLE --schema``). Tables whose rows differ in kind carry a ``provenance`` column of
their own; ``build_table`` adds one from the declarations to the tables that do not.
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
    "cross-source", "stock-flows", "projections", "flow-forecast",
]


def _derived(formula: str, *inputs: str) -> dict:
    return {"formula": formula, "inputs": list(inputs)}


# Columns computed by the observatory (or by the study, where the data say so per row), their formula and
# the resources (or columns) they are computed from.
DERIVED_FIELDS: dict[str, dict[str, dict]] = {
    "demography": {
        "other_population": _derived("total - titular - diaspora (computed by the study; per row in the "
                                     "population resource's formula)", "population"),
        "diaspora_share_of_total_pct": _derived("100 * diaspora_population / total_population", "population"),
        "diaspora_share_of_others_pct": _derived("100 * diaspora_population / other_population", "population"),
        "share_of_regional_diaspora_pct": _derived("100 * diaspora_population / sum of diaspora_population over "
                                                   "the hosts", "population"),
        "share_of_world_diaspora_low_pct": _derived("100 * diaspora_population / high world estimate",
                                                    "population", "diaspora_estimates"),
        "share_of_world_diaspora_high_pct": _derived("100 * diaspora_population / low world estimate",
                                                     "population", "diaspora_estimates"),
    },
    "flows": {"net": _derived("immigration - emigration", "flows")},
    "periods": {**{column: _derived(f"sum of {column} over the period's years", "flows", "periods")
                   for column in ("emigration", "immigration", "net")},
                "years_covered": _derived("number of the period's years with flow data", "flows", "periods"),
                "years_in_period": _derived("end_year - start_year + 1", "periods")},
    "repatriation": {"share_pct": _derived("the value where it is a percentage; else 100 * value / the sum of "
                                           "its (year, population, dimension) group", "repatriation")},
    "education": {"emigrants_share_pct": _derived("100 * count / the sum over the levels", "repatriation")},
    "institutions": {
        **{f"support_{support}": _derived("present if a source names one, absent if a source says there is "
                                          "none, else not_reported", "institutions", "schooling")
           for support in ("schooling", "higher_education", "culture", "organisation")},
        "supports_present": _derived("number of supports present", "institutions", "schooling"),
        "supports_absent": _derived("number of supports absent", "institutions", "schooling"),
        "supports_not_reported": _derived("number of supports not reported", "institutions", "schooling"),
        "supports_reported": _derived("supports_present + supports_absent", "institutions", "schooling"),
    },
}
# Tables whose every numeric column is computed (totals, tests, slopes) from the named resources.
COMPUTED_TABLES = {"flow-summary": "flows"}


def table_schema(name: str, frame: pd.DataFrame) -> dict:
    """A Table Schema of ``frame`` (the table ``name``): fields with a ``derived`` property (formula and
    inputs) where the table computes the column."""
    declared = DERIVED_FIELDS.get(name, {})
    fields = []
    for column in frame.columns:
        field: dict = {"name": str(column)}
        if column in declared:
            field["derived"] = declared[column]
        elif name in COMPUTED_TABLES and frame[column].dtype.kind in "fi" and not str(column).endswith("year"):
            field["derived"] = _derived(f"computed from {COMPUTED_TABLES[name]} (see docs/truth.md)",
                                        COMPUTED_TABLES[name])
        fields.append(field)
    return {"fields": fields}


def _with_provenance(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``provenance`` column from the declarations, unless it has one already."""
    if "provenance" in frame.columns or frame.empty or (name not in DERIVED_FIELDS and name not in COMPUTED_TABLES):
        return frame
    from diaspora_observatory.analysis.provenance import describe

    schema = table_schema(name, frame)
    kinds = {field["name"]: "derived" if "derived" in field else "reported" for field in schema["fields"]
             if frame[field["name"]].dtype.kind in "fi" and not field["name"].endswith("year")}
    text = describe(kinds)
    position = list(frame.columns).index("source_id") if "source_id" in frame.columns else len(frame.columns)
    return frame.assign(provenance=text)[[*frame.columns[:position], "provenance", *frame.columns[position:]]]


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
    from diaspora_observatory.analysis import crosscheck, definitions, estimates, projections

    return {
        "definitions": definitions.definitions,
        "birthplace-destinations": definitions.birthplace_destinations,
        "birthplace-summary": definitions.birthplace_summary,
        "cross-source": crosscheck.population_vs_reference,
        "stock-flows": estimates.stock_flows,
        "projections": projections.projections,
        "flow-forecast": projections.flow_forecast,
    }


def table_names() -> list[str]:
    return list(_builders())


def build_table(case: Case, name: str) -> pd.DataFrame:
    """Build the analysis table ``name`` for ``case``; raise UnknownTable for an unknown name."""
    builders = _builders()
    if name not in builders:
        raise UnknownTable(f"no table named {name!r}", f"choose one of {', '.join(builders)}")
    return _with_provenance(name, builders[name](case))
