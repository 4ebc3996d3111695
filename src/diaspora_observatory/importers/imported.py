"""What every importer returns: the country rows (ISO alpha-3) and the aggregates, kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from diaspora_observatory.importers.provenance import SourceInfo

if TYPE_CHECKING:
    import pandas as pd

    from diaspora_observatory.importers.report import ImportReport

# The tidy columns of each kind of table an importer produces.
COLUMNS = {
    "migrant_stock": ["destination", "origin", "year", "sex", "stock", "data_type"],
    "population": ["country", "year", "population"],
    "indicator": ["country", "year", "indicator", "value"],
    "flows": ["partner", "year", "emigration", "immigration"],
    "mirror_flows": ["reporter", "partner", "year", "emigration", "immigration"],
}
AGGREGATE_COLUMNS = {
    "migrant_stock": ["destination_code", "destination_name", "origin_code", "origin_name", "year", "sex", "stock",
                      "data_type"],
    "population": ["code", "name", "year", "population"],
    "indicator": ["code", "name", "year", "indicator", "value"],
    "flows": ["code", "name", "year", "emigration", "immigration"],
    "mirror_flows": ["code", "name", "year", "emigration", "immigration"],
}


@dataclass
class Imported:
    """One imported file.

    ``table`` holds rows about countries, with ISO 3166-1 alpha-3 codes (columns ``COLUMNS[kind]``);
    ``aggregates`` holds the producer's regions, income groups, world totals and areas without an ISO code
    (columns ``AGGREGATE_COLUMNS[kind]``), never mixed into ``table``. ``details`` records how the file
    was read (sheet, header row, edition, data-type codes) for the provenance sidecar; ``info`` is the
    default citation of the producer.
    """

    kind: str
    format: str
    file: Path
    table: pd.DataFrame
    aggregates: pd.DataFrame
    info: SourceInfo
    details: dict = field(default_factory=dict)
    report: ImportReport | None = None  # what was read, stored and skipped (importers/report.py)

    def summary(self) -> str:
        return (f"{self.file.name}: {len(self.table):,} {self.kind.replace('_', ' ')} rows about countries, "
                f"{len(self.aggregates):,} aggregate rows kept apart")
