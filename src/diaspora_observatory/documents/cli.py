"""``diaspora documents``: import, code and compare policy documents and press items.

Only click is imported at the top, so that ``diaspora --help`` stays fast; each command imports what it
needs and formats what :class:`~diaspora_observatory.documents.workspace.Workspace` computes.
"""

from __future__ import annotations

from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS

# the language codes from a module of names only, so that --help does not import the detector (numpy)
from diaspora_observatory.documents.language_names import KNOWN_LANGUAGES

case_option = click.option("--case", "case_name", default=None, metavar="NAME|PATH",
                           help="Case name or folder with a datapackage.json [default: kazakh-central-asia].")
data_dir_option = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                               help="User data folder holding the documents database [default: the platform's].")
codebook_option = click.option("--codebook", type=click.Path(path_type=Path, dir_okay=False), default=None,
                               help="Codebook file (.yaml, .csv or REFI-QDA .qdc) "
                                    "[default: the built-in diaspora-policy codebook].")
coder_option = click.option("--coder", "coders", multiple=True,
                            help="Count only these coders' passages (repeatable) [default: every coder].")


def format_option(choices=("table", "csv", "json")):
    return click.option("--format", "output_format", type=click.Choice(choices), default="table",
                        show_default=True, help="Output format.")


def _workspace(case_name, data_dir, codebook=None):
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.documents.codebook import load_codebook
    from diaspora_observatory.documents.workspace import Workspace

    return Workspace(load_case(case_name, data_dir=data_dir), data_dir, load_codebook(codebook))


def _print(frame, output_format: str) -> None:
    if output_format == "csv":
        from diaspora_observatory.documents.exports import to_csv

        click.echo(to_csv(frame), nl=False)
    else:
        from diaspora_observatory.tabular import print_table

        print_table(frame, output_format)


def _write(chunks, output_format: str) -> None:
    """An export of every document or passage written as it comes, a chunk at a time: the same text as
    :func:`_print` of the whole table (JSON ends with a line break, as ``print`` ends it there)."""
    for chunk in chunks:
        click.echo(chunk, nl=False)
    if output_format == "json":
        click.echo("")


@click.group(name="documents", context_settings=CONTEXT_SETTINGS)
def documents_group() -> None:
    """Policy documents and press: import, code against a codebook, coverage, gaps, agreement.

    \b
    Example:
      diaspora documents import law.pdf --kind law --date 2002-07-22
      diaspora documents coverage
    """


@documents_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", type=click.Choice(["law", "concept", "plan", "press", "other"]), default="other",
              show_default=True, help="What the document is.")
@click.option("--date", default="", help="Date of the document: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--title", default="", help="Title [default: the file's own title, or its name].")
@click.option("--source", default="", help="Where it comes from (publisher, address).")
@click.option("--source-id", default="", help="Key into the case's sources, if it is listed there.")
@click.option("--language", type=click.Choice(list(KNOWN_LANGUAGES)), default=None,
              help="Language [default: detected]; only en, ru and kk are coded automatically.")
@click.option("--alphabet", type=click.Choice(["2017", "2018", "2021"]), default=None,
              help="Kazakh Latin alphabet of a Kazakh text in Latin letters [default: told by its letters; "
                   "a text whose letters tell none is stored, not coded].")
@click.option("--id", "document_id", default="",
              help="Document id [default: from the file name]; a case document's id gives it this text.")
@click.option("--replace", is_flag=True, help="Replace a stored document with the same id (and its codings).")
@click.option("--accounts", is_flag=True,
              help="Also give each case document the sentences of this text that cite it, and code them.")
@case_option
@data_dir_option
@codebook_option
def import_command(file: Path, kind: str, date: str, title: str, source: str, source_id: str, language: str | None,
                   alphabet: str | None, document_id: str, replace: bool, accounts: bool, case_name, data_dir,
                   codebook) -> None:
    """Import a document (txt, md, html, docx, pdf with a text layer) and code it automatically.

    \b
    Examples:
      diaspora documents import concept.docx --kind concept --date 2022-12-30 --id concept-2023-2027
      diaspora documents import article.html --kind press --date 2024-03-01 --source "The Astana Times"
      diaspora documents import ../shared/seed/kazakh-diaspora-central-asia.txt --date 2025 --accounts
      diaspora documents import kazinform-2019.txt --kind press --language kk --alphabet 2018
    """
    from diaspora_observatory.documents.importer import read_document
    from diaspora_observatory.documents.ingest import ingest

    workspace = _workspace(case_name, data_dir, codebook)
    document = read_document(file, kind=kind, date=date, title=title, source=source, source_id=source_id,
                             language=language or "", document_id=document_id, alphabet=alphabet or "")
    outcome = ingest(workspace.store, workspace.codebook, [document], replace=replace, waiting=_waiting)[0]
    described = (f"{document.document_id!r} ({document.kind}, {_language_label(document)}, "
                 f"{len(document.text):,} characters)")
    if outcome.coded:
        click.echo(f"Imported {described}: {outcome.passages} passages coded automatically.")
    else:
        click.echo(f"Imported {described}, stored but {outcome.not_coded}.")
        click.echo(f"  {outcome.hint}")
    if accounts:
        for row in workspace.import_accounts(document.document_id).itertuples():
            click.echo(f"  {row.document_id}: {row.sentences} citing sentence(s), {row.passages} passage(s)")


READ_REPORT = 1000  # rows read between two progress lines of import-list


@documents_group.command(name="import-list")
@click.argument("manifest", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace stored documents with the same ids (and their codings).")
@click.option("--alphabet", type=click.Choice(["2017", "2018", "2021"]), default=None,
              help="Kazakh Latin alphabet of the Kazakh Latin texts whose letters tell none and whose row has no "
                   "alphabet [default: none; such texts are stored, not coded].")
@click.option("--workers", type=click.IntRange(0, 4), default=None,
              help="Worker processes that read and code beside this one (0: none) [default: for 1,000 rows or "
                   "more, the processors the load average leaves idle beside this one; else none].")
@case_option
@data_dir_option
@codebook_option
def import_list_command(manifest: Path, replace: bool, alphabet: str | None, workers: int | None, case_name, data_dir,
                        codebook) -> None:
    """Import every document a manifest CSV lists (one row per file, with its metadata), and code them.

    Columns: file (relative to the manifest), kind, date, title, source, source_id, language, id, alphabet. All rows
    are read and checked before anything is stored, so a bad row leaves the database as it was. Documents
    are then stored in batches, each document together with its coding (a killed import leaves none
    half-stored); documents in a language the codebook has no patterns for are stored, not coded.

    \b
    Example:
      diaspora documents import-list press-2024/manifest.csv
    """
    from collections import Counter

    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.documents.codebook import load_codebook
    from diaspora_observatory.documents.import_store import ImportStore
    from diaspora_observatory.documents.importer import manifest_rows
    from diaspora_observatory.documents.ingest import BATCH_SIZE, import_rows

    # the store and codebook only, not the whole workspace: its analyses import pandas, a third of the
    # command's start-up (issue 15 measures import-list with its start-up); and the store through sqlite3,
    # not SQLAlchemy, whose import was a third of what remained (import_store.py)
    store = ImportStore(load_case(case_name, data_dir=data_dir).name, data_dir)
    book = load_codebook(codebook)
    rows = manifest_rows(manifest, alphabet=alphabet or "")

    def progress(done: int, total: int) -> None:
        if total > BATCH_SIZE:
            click.echo(f"  stored {done:,} of {total:,} documents", err=True)

    reported = 0

    def reading(done: int, total: int) -> None:
        # a line per thousand rows read, on long lists only (storing then reports each batch)
        nonlocal reported
        if total > READ_REPORT and (done // READ_REPORT > reported // READ_REPORT or done == total):
            click.echo(f"  read and coded {done:,} of {total:,} documents", err=True)
            reported = done

    try:
        documents, outcomes = import_rows(store, book, rows, replace=replace, workers=workers, progress=progress,
                                          reading=reading, waiting=_waiting)
    finally:
        store.close()
    passages = sum(o.passages for o in outcomes)
    uncoded = [o for o in outcomes if not o.coded]
    click.echo(f"Imported {len(documents)} documents from {manifest.name}: {passages} passages coded automatically"
               + (f"; {len(uncoded)} stored but not coded:" if uncoded else "."))
    for reason, count in Counter(o.not_coded for o in uncoded).items():
        ids = [o.document_id for o in uncoded if o.not_coded == reason]
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        click.echo(f"  {count} {reason} ({shown})")


def _waiting() -> None:
    click.echo("  another import into this case's documents is storing: waiting for it to end (its documents are "
               "then checked against this one's ids)", err=True)


def _language_label(document) -> str:
    label = document.language
    if document.alphabet:
        from diaspora_observatory.documents.language import kazakh_alphabet

        told = kazakh_alphabet(document.text[:100_000]) == document.alphabet
        label += f", Latin alphabet of {document.alphabet} ({'told by its letters' if told else 'as given'})"
    elif document.language == "kk" and document.script == "Latn":
        label += ", Latin alphabet not told by its letters"
    return label


@documents_group.command(name="list")
@case_option
@data_dir_option
@format_option()
def list_command(case_name, data_dir, output_format: str) -> None:
    """List the case's documents, with and without text.

    \b
    Example:
      diaspora documents list --format csv
    """
    _print(_workspace(case_name, data_dir).documents(), output_format)


@documents_group.command(name="code")
@click.argument("document_ids", nargs=-1)
@click.option("--explain", is_flag=True, help="Print every passage with the pattern that matched it.")
@case_option
@data_dir_option
@codebook_option
@format_option()
def code_command(document_ids: tuple[str, ...], explain: bool, case_name, data_dir, codebook,
                 output_format: str) -> None:
    """Code stored documents automatically again (all of them, or those named); manual codings stay.

    \b
    Example:
      diaspora documents code concept-2023-2027 --explain
    """
    from diaspora_observatory.documents.codebook import LanguageNotCoded

    workspace = _workspace(case_name, data_dir, codebook)
    counts = {}
    for document_id in document_ids or [d.document_id for d in workspace.store.documents()]:
        try:
            counts[document_id] = workspace.code(document_id)
        except LanguageNotCoded as refusal:
            click.echo(f"{document_id}: {refusal.message}; {refusal.hint}", err=explain)
            continue
        click.echo(f"{document_id}: {counts[document_id]} passages", err=explain)
    if explain:
        frame = workspace.passages(["auto"])
        frame = frame[frame["document_id"].isin(list(counts))]
        _print(frame[["document_id", "code", "start", "end", "text", "pattern"]], output_format)


@documents_group.command(name="assign")
@click.argument("document_id")
@click.argument("code")
@click.option("--start", type=int, required=True, help="First character of the passage (0-based).")
@click.option("--end", type=int, required=True, help="Character after the passage.")
@click.option("--coder", required=True, help="Name or initials of the person coding.")
@case_option
@data_dir_option
@codebook_option
def assign_command(document_id: str, code: str, start: int, end: int, coder: str, case_name, data_dir,
                   codebook) -> None:
    """Code a passage by hand (the web app does the same with a form).

    \b
    Example:
      diaspora documents assign concept-2023-2027 diaspora_actor --start 120 --end 240 --coder AB
    """
    workspace = _workspace(case_name, data_dir, codebook)
    passage_id = workspace.store.add_manual(document_id, code, coder, start, end, workspace.codebook.names)
    click.echo(f"Passage {passage_id} coded {code!r} by {coder!r}.")


@documents_group.command(name="passages")
@click.argument("document_id", required=False)
@coder_option
@case_option
@data_dir_option
@format_option()
def passages_command(document_id: str | None, coders: tuple[str, ...], case_name, data_dir, output_format) -> None:
    """Coded passages: id, document, code, coder, start, end, text.

    \b
    Example:
      diaspora documents passages concept-2023-2027 --coder auto --format csv
    """
    from diaspora_observatory.documents.exports import passages_export, passages_for_export

    workspace = _workspace(case_name, data_dir)
    if output_format != "table":  # every passage: written as read, a chunk at a time
        _write(passages_export(workspace, list(coders) or None, output_format, document_id or None), output_format)
        return
    frame = workspace.passages(list(coders) or None)
    if document_id:
        frame = frame[frame["document_id"] == document_id]
    _print(passages_for_export(frame), output_format)


@documents_group.command(name="coverage")
@click.option("--presence", is_flag=True, help="Show present (True/False) instead of passage counts.")
@click.option("--long", "long_form", is_flag=True, help="One row per document and code (with sources).")
@coder_option
@case_option
@data_dir_option
@codebook_option
@format_option()
def coverage_command(presence: bool, long_form: bool, coders, case_name, data_dir, codebook, output_format) -> None:
    """Coverage matrix: documents with text as rows, codes as columns, passage counts in the cells.

    \b
    Example:
      diaspora documents coverage --coder auto --format csv > coverage.csv
    """
    from diaspora_observatory.analysis.documents import coverage_matrix
    from diaspora_observatory.documents.exports import coverage_export

    workspace = _workspace(case_name, data_dir, codebook)
    if output_format != "table":  # every document: counted by the database, a chunk of documents at a time
        value = None if long_form else "present" if presence else "passages"
        _write(coverage_export(workspace, list(coders) or None, output_format, value), output_format)
        return
    long = workspace.coverage(list(coders) or None)
    if long_form:
        _print(long, output_format)
        return
    matrix = coverage_matrix(long, "present" if presence else "passages")
    if output_format == "table" and not matrix.empty:
        # codes as rows: a terminal has room for a few documents across, not for fifteen codes
        matrix = matrix.set_index("document_id").T.rename_axis("code").reset_index()
        matrix.columns.name = None
    _print(matrix, output_format)


@documents_group.command(name="gaps")
@click.option("--policy-only", is_flag=True, help="Only the law, concept and plan documents.")
@coder_option
@case_option
@data_dir_option
@codebook_option
@format_option()
def gaps_command(policy_only: bool, coders, case_name, data_dir, codebook, output_format) -> None:
    """Codes a document never touches; policy documents (law, concept, plan) first.

    \b
    Example:
      diaspora documents gaps --policy-only
    """
    from diaspora_observatory.documents.exports import gaps_export

    workspace = _workspace(case_name, data_dir, codebook)
    if output_format != "table":  # every document's gaps: counted by the database, a chunk at a time
        _write(gaps_export(workspace, list(coders) or None, output_format, policy_only), output_format)
        return
    frame = workspace.gaps(list(coders) or None)
    _print(frame[frame["policy"]] if policy_only else frame, output_format)


@documents_group.command(name="themes")
@click.option("--kind", default="press", show_default=True, help="Kind of document to follow over time.")
@coder_option
@case_option
@data_dir_option
@codebook_option
@format_option()
def themes_command(kind: str, coders, case_name, data_dir, codebook, output_format) -> None:
    """Themes over time: per year and code, how many items touch it and what share of the year's items.

    \b
    Example:
      diaspora documents themes --format csv
    """
    from diaspora_observatory.documents.index_tables import themes_over_time
    from diaspora_observatory.documents.report import in_percent

    themes = themes_over_time(_workspace(case_name, data_dir, codebook), list(coders) or None, kind)
    # The terminal table writes the share in percent, as the /coding page and the report do (33.3, not
    # 0.333); CSV and JSON keep the 0-1 machine value.
    _print(in_percent(themes) if output_format == "table" else themes, output_format)


@documents_group.command(name="agreement")
@click.option("--disagreements", nargs=2, metavar="CODER_A CODER_B", default=None,
              help="List the (document, code) units these two coders decided differently.")
@case_option
@data_dir_option
@codebook_option
@format_option()
def agreement_command(disagreements, case_name, data_dir, codebook, output_format) -> None:
    """Agreement between coders (auto, study, people): Krippendorff's alpha and Cohen's kappa.

    The unit is a (document, code) pair, decided present or absent. The study's own reading of its
    documents is the coder "study".

    \b
    Example:
      diaspora documents agreement --disagreements auto study
    """
    from diaspora_observatory.documents.index_tables import agreement_and_disagreements

    # counted by the database: each pair of coders' 2x2 table, never a row per unit
    agreement, differ = agreement_and_disagreements(_workspace(case_name, data_dir, codebook),
                                                    *(disagreements or ("auto", "study")))
    _print(differ if disagreements else agreement, output_format)


@documents_group.command(name="codebook")
@codebook_option
@format_option()
def codebook_command(codebook, output_format: str) -> None:
    """Show the codebook: code, parent, description, patterns per language.

    \b
    Example:
      diaspora documents codebook --format csv
    """
    from diaspora_observatory.documents.codebook import load_codebook

    _print(load_codebook(codebook).table(), output_format)


@documents_group.command(name="export")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("documents-export"),
              show_default=True, help="Folder to write into.")
@coder_option
@case_option
@data_dir_option
@codebook_option
def export_command(out_dir: Path, coders, case_name, data_dir, codebook) -> None:
    """Write coverage.csv, coverage.xlsx, gaps.csv, passages.csv and codebook.qdc (REFI-QDA, for QualCoder).

    \b
    Example:
      diaspora documents export --out build/documents
    """
    from diaspora_observatory.documents import exports

    workspace = _workspace(case_name, data_dir, codebook)
    chosen = list(coders) or None
    out_dir.mkdir(parents=True, exist_ok=True)
    # the CSV files written a chunk of documents (or passages) at a time, counted by the database
    for name, chunks in (("coverage.csv", exports.coverage_export(workspace, chosen, "csv", "passages")),
                         ("gaps.csv", exports.gaps_export(workspace, chosen, "csv")),
                         ("passages.csv", exports.passages_export(workspace, chosen, "csv"))):
        with (out_dir / name).open("w", encoding="utf-8", newline="") as file:
            file.writelines(chunks)
    (out_dir / "codebook.qdc").write_bytes(exports.codebook_qdc(workspace.codebook))
    # the workbook last, through openpyxl's write-only sheets: refused (the other files written) when a
    # sheet would hold more rows than a spreadsheet can (the long table of 55,000 articles and more)
    exports.write_coverage_xlsx(workspace, chosen, out_dir / "coverage.xlsx")
    click.echo(f"Wrote coverage.csv, coverage.xlsx, gaps.csv, passages.csv, codebook.qdc to {out_dir}/")


@documents_group.group(name="coder", context_settings=CONTEXT_SETTINGS)
def coder_group() -> None:
    """Coders' tokens for coding by hand on the web page (`diaspora serve`, /coding).

    \b
    Example:
      diaspora documents coder add "A. Bekova"
    """


def _data_dir(data_dir: Path | None) -> Path:
    from diaspora_observatory.case.package import user_data_dir

    return data_dir or user_data_dir()


@coder_group.command(name="add")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Give a coder who has a token a new one (the old one stops working).")
@data_dir_option
def coder_add_command(name: str, replace: bool, data_dir: Path | None) -> None:
    """Give coder NAME a token, printed once: only its hash is kept. Passages they save carry NAME.

    \b
    Example:
      diaspora documents coder add "A. Bekova"
    """
    from diaspora_observatory.documents.coders import add_coder, tokens_file

    token = add_coder(_data_dir(data_dir), name, replace=replace)
    click.echo(f"Token for coder {name.strip()!r} (shown once; only its hash is kept in "
               f"{tokens_file(_data_dir(data_dir))}):")
    click.echo(token)


@coder_group.command(name="list")
@data_dir_option
def coder_list_command(data_dir: Path | None) -> None:
    """The coders who have a token.

    \b
    Example:
      diaspora documents coder list
    """
    from diaspora_observatory.documents.coders import coders

    names = coders(_data_dir(data_dir))
    click.echo("\n".join(names) if names else "No coder has a token yet: diaspora documents coder add NAME")


@coder_group.command(name="remove")
@click.argument("name")
@data_dir_option
def coder_remove_command(name: str, data_dir: Path | None) -> None:
    """Withdraw coder NAME's token; the passages they coded stay.

    \b
    Example:
      diaspora documents coder remove "A. Bekova"
    """
    from diaspora_observatory.documents.coders import remove_coder

    remove_coder(_data_dir(data_dir), name)
    click.echo(f"Coder {name!r} can no longer code on the web page.")
