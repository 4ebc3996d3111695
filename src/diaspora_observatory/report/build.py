"""Write a case's report: report.html, report.md, tables/*.csv, figures/*.svg, claims.json, report.pdf.

The report opens with a summary of findings, then a section per part of the study (its text, the web
page's chart, a compact table), then the full tables in an appendix and the sources; every text in the
chosen language (en, ru, kk). The CSV tables and claims.json keep the machine values.
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jinja2
from jinja2 import Environment, PackageLoader, select_autoescape

from diaspora_observatory import __version__
from diaspora_observatory.case.package import Case
from diaspora_observatory.charts.render import to_svgs
from diaspora_observatory.report.cells import cell_html, row_html
from diaspora_observatory.report.findings import findings
from diaspora_observatory.report.page_gaps import LAYOUT_PRINTS, Placement, fill_gaps, printed_pages
from diaspora_observatory.report.pdf import find_chromium, heading_pages, print_pdf
from diaspora_observatory.report.section_cache import report_contents
from diaspora_observatory.report.sections import PARTS, Section
from diaspora_observatory.report.views import SectionViews, section_views
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.tabular import records, to_csv
from diaspora_observatory.user_cache import cache_dir

__all__ = ["build_report", "find_chromium"]


TRIM_BLOCKS = LSTRIP_BLOCKS = True


class _TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in the user's cache (compiling them is about a tenth of a report's time).

    Jinja checks an entry against the checksum of its template's source; here that checksum also covers the
    Jinja version and the environment's options, which change the compiled code but not the source, and each
    entry starts with the SHA-256 of the code after it, so a damaged entry is compiled again, never run. A
    folder that cannot be written only costs the compile.
    """

    SALT = f"jinja2 {jinja2.__version__} trim {TRIM_BLOCKS} lstrip {LSTRIP_BLOCKS} autoescape html\n"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(self.SALT + source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = (self.folder / f"{bucket.key}.jinja").read_bytes()
        except OSError:
            return
        digest, code = data[:32], data[32:]
        if hashlib.sha256(code).digest() == digest:
            bucket.bytecode_from_string(code)  # Jinja then compares the source checksum

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        path = self.folder / f"{bucket.key}.jinja"
        partial = path.with_suffix(f".{os.getpid()}.partial")
        try:
            partial.write_bytes(hashlib.sha256(code).digest() + code)
            os.replace(partial, path)
        except OSError:
            pass


def _template_cache() -> _TemplateCache | None:
    folder = cache_dir("templates")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _TemplateCache(folder)


def _environment() -> Environment:
    return Environment(loader=PackageLoader("diaspora_observatory.report", "templates"),
                       autoescape=select_autoescape(["html"]), bytecode_cache=_template_cache(),
                       trim_blocks=TRIM_BLOCKS, lstrip_blocks=LSTRIP_BLOCKS)


def build_report(case: Case, out_dir: Path, *, pdf: bool = False,
                 progress: Callable[[str], None] = lambda step: None, language: str = "en",
                 parallel: bool = False) -> list[Path]:
    """Write the whole report of ``case`` in ``language`` into ``out_dir``; return the files written.
    ``parallel``: sections not in the cache computed partly in a forked process (``section_cache``), for a
    caller that is a process of its own, such as the CLI."""
    out_dir = Path(out_dir)
    writer = Writer(case, language)
    (out_dir / "tables").mkdir(parents=True, exist_ok=True)
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    progress("computing analysis tables (those of an unchanged case from the cache)")
    sections, key_figures, kept_views = report_contents(case, writer, parallel=parallel)
    written: list[Path] = []
    figure_sources: dict[str, str] = {}
    for section in sections:
        for name, frame in section.tables.items():
            path = out_dir / "tables" / f"{name}.csv"
            path.write_text(to_csv(frame), encoding="utf-8")
            written.append(path)
    figures = [figure for section in sections for figure in section.figures]
    progress(f"drawing {len(figures)} figures (unchanged ones from the cache)")
    # In the report the figure's source line is its caption, where the sources' English names can be
    # marked as such (an SVG text cannot say which of its words are English); the SVG file keeps it in its
    # subtitle, to stand on its own.
    inline_specs = []
    for figure in figures:
        inline, figure_sources[figure.name] = without_subtitle(figure.spec)
        inline_specs.append(inline)
    # All at once: the charts not in the cache are drawn in one start of the JavaScript engine.
    drawn = to_svgs([on_paper(figure.spec) for figure in figures] + inline_specs)
    svgs = dict(zip((figure.name for figure in figures), drawn[len(figures):], strict=True))
    for figure, svg in zip(figures, drawn[:len(figures)], strict=True):
        path = out_dir / "figures" / f"{figure.name}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    claims = next((s.tables["claims"] for s in sections if s.id == "claims"), None)
    if claims is not None:
        claims_path = out_dir / "claims.json"
        claims_path.write_text(json.dumps(records(claims), indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(claims_path)
    context = _context(case, sections, svgs, writer, key_figures, kept_views)
    context["figure_sources"] = figure_sources
    progress("writing report.html and report.md")
    environment = _environment()
    html_path = out_dir / "report.html"
    html_path.write_text(environment.get_template("report.html").render(**context), encoding="utf-8")
    md_path = out_dir / "report.md"
    md_path.write_text(environment.get_template("report.md").render(**context), encoding="utf-8")
    written += [html_path, md_path]
    if pdf:
        progress("printing report.pdf with Chromium")
        pdf_path = print_pdf(html_path, out_dir / "report.pdf")
        # Blocks that jumped to the next page and left a gap are placed again (report/page_gaps.py).
        appendix = context["parts"]["appendix"]
        for _attempt in range(LAYOUT_PRINTS):
            placement = fill_gaps(printed_pages(pdf_path), {heading_pages(pdf_path).get(appendix, 0)},
                                  *_blocks(sections, context), context["placement"])
            if placement == context["placement"]:
                break
            context["placement"] = placement
            progress("printing report.pdf again with the blocks that left a page partly blank placed anew")
            html_path.write_text(environment.get_template("report.html").render(**context), encoding="utf-8")
            print_pdf(html_path, pdf_path)
        # Last print with the contents' page numbers, read from the previous print's outline (report/pdf.py).
        context["pages"] = heading_pages(pdf_path)
        html_path.write_text(environment.get_template("report.html").render(**context), encoding="utf-8")
        progress("printing report.pdf again with the page numbers of the contents")
        written.append(print_pdf(html_path, pdf_path))
    return written


KEPT_ROWS = 12  # a compact table of at most this many rows is kept on one page (templates/report.html)


def _blocks(sections: list[Section], context: dict) -> tuple[dict[str, str | None], set[str]]:
    """Each figure's name with its section's table (None when it has none), and the tables kept whole."""
    figures = {figure.name: (view.name if (view := context["compact"].get(section.id)) else None)
               for section in sections for figure in section.figures}
    views = [*context["compact"].values(), *(view for shown in context["summaries"].values() for _t, view in shown)]
    return figures, {view.name for view in views if len(view.rows) <= KEPT_ROWS}


SUBTITLE_CHARACTERS = 110  # a source line this long is wrapped: on a page the chart cannot scroll sideways


def on_paper(spec: dict) -> dict:
    """The web page's spec with its source line wrapped: one long line would widen the drawing, which the
    page then shrinks to its width with all its letters."""
    title = spec.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("subtitle"), str):
        return spec
    if len(title["subtitle"]) <= SUBTITLE_CHARACTERS:
        return spec
    lines = textwrap.wrap(title["subtitle"], SUBTITLE_CHARACTERS, break_long_words=False)
    return {**spec, "title": {**title, "subtitle": lines}}


def without_subtitle(spec: dict) -> tuple[dict, str]:
    """``spec`` without its title's subtitle (the "Source: …" line), and that subtitle."""
    title = spec.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("subtitle"), str):
        return spec, ""
    return {**spec, "title": {key: value for key, value in title.items() if key != "subtitle"}}, title["subtitle"]


def _context(case: Case, sections: list[Section], svgs: dict[str, str], writer: Writer,
             key_figures: list[dict] | None = None, kept_views: dict[str, SectionViews] | None = None) -> dict:
    """The templates' values; ``kept_views``: the views of the sections kept by report/section_cache.py."""
    _ = writer._
    used = set().union(*(s.source_ids for s in sections)) if sections else set()
    numbered = [(f"{index}. {section.title}", section) for index, section in enumerate(sections, start=1)]
    views = {section.id: (kept_views or {}).get(section.id) or section_views(section, writer) for section in sections}
    appendix: list[dict[str, object]] = []
    for section in sections:
        for table in views[section.id].appendix:
            # The appendix's letter is the language's own (Cyrillic А in Russian and Kazakh, as GOST 7.32 has it).
            heading = _("A.{number}. {title}").format(number=len(appendix) + 1, title=table.title)
            appendix.append({"heading": heading, "name": table.name, "rows": table.rows, "rows_text": table.rows_text,
                             "left_out": table.left_out, "view": table.view})
    return {
        "case": case, "title": case.title_in(writer.language), "lang": writer.language, "_": _,
        "version": __version__, "today": date.today().isoformat(), "parts": {k: _(v) for k, v in PARTS.items()},
        "summary": findings(case, sections, writer, key_figures), "sections": numbered, "svgs": svgs,
        "compact": {section.id: compact for section in sections if (compact := views[section.id].compact) is not None},
        "summaries": {section.id: views[section.id].summaries for section in sections},
        "listed_in_files": any(table["view"] is None for table in appendix),
        "appendix": appendix, "source_line": writer.source_line, "marked": writer.marked,
        "cell_html": lambda item: cell_html(item, writer.marked), "row_html": lambda row: row_html(row, writer.marked),
        "sources": [case.sources[s] for s in sorted(used) if s in case.sources],
        "origin": writer.origin, "pages": {}, "placement": Placement(), "kept_rows": KEPT_ROWS,
    }
