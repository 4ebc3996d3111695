"""Importers of outside formats: UN DESA migrant stock, World Bank WDI, Our World in Data, any CSV/XLSX
with a column mapping. Each returns an ``Imported`` table and writes a provenance sidecar beside what it
stores; each refuses a malformed file with a ``MalformedSource`` naming file, sheet, row and column."""
