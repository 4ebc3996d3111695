"""Write a case's report: report.html, report.md, tables/*.csv, figures/*.svg, claims.json, report.pdf."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from diaspora_observatory import __version__
from diaspora_observatory.case.labels import ValueLabels, value_labels
from diaspora_observatory.case.package import Case
from diaspora_observatory.charts.render import to_svg
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, cell_text
from diaspora_observatory.presentation.citations import source_label
from diaspora_observatory.presentation.numbers import figure_text
from diaspora_observatory.report.sections import Section, build_sections
from diaspora_observatory.tabular import records, to_csv

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _environment(labels: ValueLabels | None = None, language: str = "en") -> Environment:
    environment = Environment(loader=PackageLoader("diaspora_observatory.report", "templates"),
                              autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    environment.filters["cell"] = partial(format_cell, labels=labels, language=language)
    return environment


def format_cell(value: object, column: str = "", labels: ValueLabels | None = None, language: str = "en",
                row: dict | None = None) -> str:
    """A table cell for people: a number written by the presentation layer for its column's kind (the
    same string as the web page and ``diaspora show``), a code by its label (the CSV tables keep codes)."""
    if labels is not None and isinstance(value, str):
        # a number kept as text (a claim's reported value, "20000000") is written as the web page writes it
        shown = cell_text(column, value, language, row) if row is not None else value
        return shown if shown != value else labels(column, value)
    return cell_text(column, value, language, row)


def build_report(case: Case, out_dir: Path, *, pdf: bool = False,
                 progress: Callable[[str], None] = lambda step: None, language: str = "en") -> list[Path]:
    """Write the whole report of ``case`` into ``out_dir``; return the files written. ``language`` is the
    language of its numbers and code labels (the prose is English until the report is translated)."""
    out_dir = Path(out_dir)
    (out_dir / "tables").mkdir(parents=True, exist_ok=True)
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    progress("computing analysis tables")
    sections = build_sections(case)
    written: list[Path] = []
    svgs: dict[str, str] = {}
    for section in sections:
        for name, frame in section.tables.items():
            path = out_dir / "tables" / f"{name}.csv"
            path.write_text(to_csv(frame), encoding="utf-8")
            written.append(path)
        for figure in section.figures:
            progress(f"drawing figure {figure.name}")
            svgs[figure.name] = to_svg(figure.spec)
            path = out_dir / "figures" / f"{figure.name}.svg"
            path.write_text(svgs[figure.name], encoding="utf-8")
            written.append(path)
    claims = next(s.tables["claims"] for s in sections if s.id == "claims")
    claims_path = out_dir / "claims.json"
    claims_path.write_text(json.dumps(records(claims), indent=2, ensure_ascii=False), encoding="utf-8")
    written.append(claims_path)
    context = _context(case, sections, svgs, language)
    progress("writing report.html and report.md")
    environment = _environment(value_labels(case, language), language)
    html_path = out_dir / "report.html"
    html_path.write_text(environment.get_template("report.html").render(**context), encoding="utf-8")
    md_path = out_dir / "report.md"
    md_path.write_text(environment.get_template("report.md").render(**context), encoding="utf-8")
    written += [html_path, md_path]
    if pdf:
        progress("printing report.pdf with Chromium")
        written.append(print_pdf(html_path, out_dir / "report.pdf"))
    return written


def key_figures(case: Case, language: str = "en") -> list[dict]:
    """The overview's headline figures as the web page's cards write them (ranges as ranges)."""
    from diaspora_observatory.analysis.overview import key_figures as figures
    from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS

    if not case.has("population"):
        return []
    return [{"label": KEY_FIGURE_LABELS.get(row["figure"], row["figure"]), "detail": row["detail"],
             "text": figure_text(row["value"], row["low"], row["high"], row["unit"], language,
                                 row.get("significant_digits")),
             "source_ids": [part for part in str(row["source_ids"]).split(";") if part]}
            for row in records(figures(case))]


def _context(case: Case, sections: list[Section], svgs: dict[str, str], language: str = "en") -> dict:
    claims = next(s.tables["claims"] for s in sections if s.id == "claims")
    used = set().union(*(s.source_ids for s in sections))
    return {
        "case": case, "sections": sections, "svgs": svgs, "version": __version__, "today": date.today().isoformat(),
        "claim_counts": claims["status"].value_counts().to_dict(),
        "sources": [case.sources[s] for s in sorted(used) if s in case.sources],
        "source_label": lambda ids: source_label(case, ids),
        "records": records, "key_figures": key_figures(case, language), "lang": language,
        "hidden": HIDDEN_COLUMNS,  # columns that say how to write the others, not shown
    }


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the HTML report to PDF with headless Chromium (no network: every asset is inline)."""
    browser = find_chromium()
    if browser is None:
        raise DiasporaError("--pdf needs Chromium, which was not found on PATH",
                            "install it (Debian: apt-get install chromium) or leave out --pdf")
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf_path.resolve()}", html_path.resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not pdf_path.is_file():
        raise DiasporaError(f"Chromium could not print {html_path} (exit {result.returncode})",
                            result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
    return pdf_path
