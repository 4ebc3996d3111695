"""``diaspora survey``: define, load, list, import, export and summarise questionnaires.

Only click is imported at the top so that ``diaspora --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS
from diaspora_observatory.languages import listed

data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="User data folder holding survey.sqlite3 [default: $DIASPORA_DATA_DIR or the "
                                    "platform's user-data folder]. DIASPORA_DATABASE_URL selects PostgreSQL instead.")


@contextmanager
def _store(data_dir: Path | None) -> Iterator:
    """The survey store of ``data_dir``, closed whatever happens: an engine left open keeps its PostgreSQL
    connections until the process ends (and warns as a ResourceWarning)."""
    from diaspora_observatory.case.package import user_data_dir
    from diaspora_observatory.survey.storage import SurveyStore

    store = SurveyStore.for_data_dir(data_dir or user_data_dir())
    try:
        yield store
    finally:
        store.close()


def _admin(data_dir: Path | None, token: str | None) -> None:
    from diaspora_observatory.access import TOKEN_ENV, check_admin_token
    from diaspora_observatory.case.package import user_data_dir
    from diaspora_observatory.survey.errors import AdminTokenInvalid

    if not check_admin_token(data_dir or user_data_dir(), token):
        raise AdminTokenInvalid("this action needs the survey admin token",
                                f"pass --token or set {TOKEN_ENV} (the token printed when the server first started)")


@click.group(name="survey", context_settings=CONTEXT_SETTINGS)
def survey_group() -> None:
    """Questionnaires: XLSForm definitions, collected answers, imports and results.

    \b
    Example:
      diaspora survey default --out questionnaire.xlsx
      diaspora survey add my_form.xlsx --slug wave2
      diaspora survey results kz
    """


@survey_group.command("default")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the .xlsx file.")
@click.option("--case", "case_name", default=None, metavar="NAME|PATH",
              help="Write the questionnaire for this case's diaspora: its origin and hosts named in English, "
                   "Russian and Kazakh [default: the built-in study's questionnaire].")
def default_command(out: Path, case_name: str | None) -> None:
    """Write the built-in questionnaire (English, Russian, Kazakh) as an XLSForm workbook.

    With --case, the same questions for another diaspora: the items that name Kazakhs or Kazakhstan
    name the case's origin instead, and the countries of residence are the case's hosts.

    \b
    Examples:
      diaspora survey default --out questionnaire.xlsx
      diaspora survey default --case kyrgyz --out kyrgyz-questionnaire.xlsx
    """
    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.xlsform import write_xlsform

    case = None
    if case_name is not None:
        from diaspora_observatory.case.package import load_case

        case = load_case(case_name)
    form = default_form(case)
    write_xlsform(form, out)
    click.echo(f"Wrote {out}: {form.title!r}, {len(form.answer_questions())} questions in English, Russian and "
               "Kazakh")


@survey_group.command("check")
@click.argument("xlsform", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="List every problem, one a line, not only the first five.")
def check_command(xlsform: Path, show_all: bool) -> None:
    """Read an XLSForm and report every unsupported or invalid cell (sheet, row, column).

    \b
    Example:
      diaspora survey check my_form.xlsx
      diaspora survey check --all my_form.xlsx
    """
    from diaspora_observatory.survey.errors import XLSFormError
    from diaspora_observatory.survey.xlsform import read_xlsform_with_notices

    try:
        form, notices = read_xlsform_with_notices(xlsform)
    except XLSFormError as error:
        if not show_all or len(error.issues) <= 5:
            raise
        for issue in error.issues:
            click.echo(f"Problem: {issue}", err=True)
        raise click.ClickException(f"{xlsform}: {len(error.issues)} problems (listed above); {error.hint}") from None
    _echo_notices(notices)
    click.echo(f"{xlsform}: {len(form.answer_questions())} questions, languages: "
               f"{', '.join(form.languages) or 'one'}; OK")


def _echo_notices(notices) -> None:
    """What the XLSForm reader left out or ignored, one line each (sheet, row, column)."""
    for notice in notices:
        click.echo(f"Notice: {notice}", err=True)


@survey_group.command("add")
@click.argument("xlsform", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="Short name: the form is served at /s/SLUG.")
@click.option("--replace", is_flag=True, help="Replace the definition of an existing survey (answers kept).")
@click.option("--threshold", type=int, default=None,
              help="Smallest group of respondents the published results show [default: 10; never below 10].")
@data_dir_option
def add_command(xlsform: Path, slug: str, replace: bool, threshold: int | None, data_dir: Path | None) -> None:
    """Load an XLSForm as a survey served at /s/SLUG.

    \b
    Example:
      diaspora survey add my_form.xlsx --slug wave2
    """
    import re

    from diaspora_observatory.survey.xlsform import read_xlsform_with_notices

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
        from diaspora_observatory.errors import DiasporaError

        raise DiasporaError(f"--slug {slug!r} is not a short name a link can carry",
                            "use lower-case letters, digits and '-' (at most 64), starting with a letter or digit")
    form, notices = read_xlsform_with_notices(xlsform)
    _echo_notices(notices)
    if threshold is not None:
        from diaspora_observatory.analysis.disclosure import THRESHOLD_FLOOR
        from diaspora_observatory.survey.errors import PublicationInvalid

        if threshold < THRESHOLD_FLOOR:  # refused before anything is stored
            raise PublicationInvalid(f"a threshold of {threshold} is below the floor of {THRESHOLD_FLOOR} respondents",
                                     f"choose {THRESHOLD_FLOOR} or more (docs/survey.md says why)")
    with _store(data_dir) as store:
        record = _add(store, slug, form, replace, threshold)
    click.echo(f"Survey '{record.slug}' ({record.title}): {len(form.answer_questions())} questions; "
               f"served at /s/{slug}")


def _add(store, slug: str, form, replace: bool, threshold: int | None):
    """Store ``form`` as ``slug`` (refused when it exists and ``replace`` is not given), with its threshold."""
    if not replace:
        from diaspora_observatory.survey.errors import SurveyNotFound

        try:
            existing = store.get_survey(slug)
        except SurveyNotFound:
            existing = None
        if existing is not None:  # refused: storing nothing while exiting 0 would look like success
            from diaspora_observatory.errors import DiasporaError

            raise DiasporaError(f"a survey '{slug}' ({existing.title}) already exists; nothing was changed",
                                "add --replace to replace its definition (its answers are kept), or choose another "
                                "--slug")
    record = store.add_survey(slug, form, replace=replace)
    if threshold is not None:
        record = store.set_publication(slug, threshold=threshold)
    return record


@survey_group.command("list")
@data_dir_option
def list_command(data_dir: Path | None) -> None:
    """List the surveys with their status and number of responses.

    \b
    Example:
      diaspora survey list
    """
    with _store(data_dir) as store:
        surveys = store.list_surveys()
    if not surveys:
        click.echo("No survey yet: `diaspora serve` adds the study's questionnaire as 'kz', and "
                   "`diaspora survey add FORM.xlsx --slug NAME` adds your own.", err=True)
    for survey in surveys:
        click.echo(f"{survey['slug']}\t{survey['status']}\t{survey['responses']}\t{survey['title']}")


@survey_group.command("import-responses")
@click.argument("slug")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "export_format", type=click.Choice(["kobo", "odk", "limesurvey"]), required=True,
              help="kobo: KoboToolbox CSV (names or labels as headers, ';' or ','); odk: ODK Central CSV; "
                   "limesurvey: LimeSurvey CSV (headings 'Question code').")
@click.option("--replace", is_flag=True, help="Replace the answers an earlier import stored under the same ids "
                                              "(a corrected export); answers collected on the web, and answers a "
                                              "published results snapshot holds, are never replaced.")
@click.option("--map", "column_map", multiple=True, metavar="COLUMN=QUESTION",
              help="Read COLUMN as the answer to QUESTION (QUESTION/CHOICE: one choice of a select_multiple), for "
                   "headers that match no question; repeatable.")
@data_dir_option
def import_command(slug: str, export: Path, export_format: str, replace: bool, column_map: tuple[str, ...],
                   data_dir: Path | None) -> None:
    """Import answers exported from KoboToolbox, ODK Central or LimeSurvey into survey SLUG.

    All or nothing: a row that breaks the form, or an id already stored with other answers, stops the
    import with its row and column named, and nothing is stored. Metadata (times, devices, users) is
    never stored; columns that match no question are named.

    \b
    Example:
      diaspora survey import-responses kz kobo_export.csv --format kobo
      diaspora survey import-responses kz corrected.csv --format kobo --replace
      diaspora survey import-responses kz results.csv --format limesurvey --map "Q1[SQ001]=identity_news"
    """
    from diaspora_observatory.survey.imports import BATCH_ROWS, import_responses

    def progress(done: int, total: int) -> None:
        if total > BATCH_ROWS:  # a long import says how far it is (on stderr: stdout keeps the summary)
            click.echo(f"  {done:,} of {total:,} rows written (kept only when every row is: one transaction)", err=True)

    def waiting() -> None:
        click.echo(f"  another import into survey '{slug}' is running: waiting for it to end (the rows it stores are "
                   "then counted as already stored)", err=True)

    with _store(data_dir) as store:
        summary = import_responses(store, slug, export, export_format, replace=replace, column_map=column_map,
                                   progress=progress, waiting=waiting)
    for line in summary.lines():
        click.echo(line)


def _catalog(language: str):
    """The results page's gettext for ``language``: the web app's catalogs with the survey's merged in, as
    the survey extension adds them to the app (survey/web.py), so "No answer" and "Total" read the same in
    the terminal as on /s/SLUG/results."""
    from diaspora_observatory.web.i18n import Catalogs

    catalogs = Catalogs()
    catalogs.add_locale_dir(Path(__file__).resolve().parent / "locale")
    return catalogs.gettext(language)


@survey_group.command("results")
@click.argument("slug")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--lang", default="en", show_default=True, help=f"Label language ({listed()}).")
@click.option("--bom", is_flag=True, help="With --format csv: start with a byte order mark, so that Excel reads "
                                          "Kazakh and Russian labels right.")
@data_dir_option
def results_command(slug: str, output_format: str, lang: str, bom: bool, data_dir: Path | None) -> None:
    """Published results of survey SLUG: its latest snapshot, groups under the threshold merged or hidden.

    No admin token is needed: these are the figures anyone can see on /s/SLUG/results (the raw answers
    need the token, see `survey export`).

    \b
    Examples:
      diaspora survey results kz --format csv > results.csv
      diaspora survey results kz --format csv --bom --lang kk > results-for-excel.csv
    """
    import json

    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.presentation.numbers import format_percent
    from diaspora_observatory.survey.results_view import counted_context

    # the published snapshot as the web page shows it, counted by the database (not an answer in memory)
    translate = _catalog(lang)
    with _store(data_dir) as store:
        context = counted_context(load_case(), store, slug, lang, translate=translate)
    record, snapshot = context["record"], context["snapshot"]
    if output_format == "csv":
        sys.stdout.write(("\ufeff" if bom else "") + context["csv"])
    elif output_format == "json":
        click.echo(json.dumps(context["data"], ensure_ascii=False, indent=1))
    else:
        # the page's sentences and words, from its catalogs (survey/templates/survey_results.html)
        threshold = {"threshold": record.threshold}
        if not snapshot["number"]:
            waiting = ("No results are published yet: they appear when the survey is closed, if it has at least "
                       "%(threshold)s answers." if record.publish == "close" else
                       "No results are published yet: they appear once at least %(threshold)s answers have arrived.")
            click.echo(f"{record.title}: {translate(waiting) % threshold}")
            return
        taken = {"number": snapshot["number"], "day": snapshot["taken_on"], "count": context["responses"]}
        click.echo(f"{record.title}: {translate('Snapshot %(number)s, taken on %(day)s: %(count)s answers.') % taken}")
        click.echo(translate("No group of fewer than %(threshold)s respondents is shown. Where a category has fewer, "
                             "it is merged with its neighbours on a scale (or pooled with other small categories) "
                             "until every group shown holds at least %(threshold)s; the merged groups are named "
                             "below. Means are shown only for items whose every category holds at least "
                             "%(threshold)s.") % threshold)
        merged, hidden = f" ({translate('merged')})", translate("hidden")
        for item in context["items"]:
            click.echo(f"\n{item['label']}")
            for row in item["records"]:
                share = None if row["count"] is None else format_percent(row["share"] * 100, lang)
                shown = hidden if share is None else f"{row['count']} ({share})"
                click.echo(f"  {row['label']}{merged if row['merged'] else ''}: {shown}")


@survey_group.command("export")
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--format", "export_format", type=click.Choice(["csv", "xlsx", "sav", "dta", "codebook"]),
              default=None, help="csv (codes), xlsx (labels, codes and codebook sheets), sav (SPSS), dta (Stata), "
                                 "codebook (CSV of the variables) [default: from the --out suffix, else csv].")
@click.option("--lang", "language", default="en", show_default=True, metavar="CODE",
              help="Language of the variable and value labels (xlsx, sav, dta, codebook).")
@click.option("--bom", is_flag=True, help="Start a CSV with a byte order mark, so that Excel reads Kazakh and "
                                          "Russian text right.")
@click.option("--token", envvar="DIASPORA_ADMIN_TOKEN", help="The admin token [env: DIASPORA_ADMIN_TOKEN].")
@data_dir_option
def export_command(slug: str, out: Path, export_format: str | None, language: str, bom: bool, token: str | None,
                   data_dir: Path | None) -> None:
    """Export the raw answers of SLUG (admin token needed): CSV, Excel, SPSS or Stata, with a codebook.

    Choices are coded 1…k in the form's order with value labels (SPSS, Stata, the xlsx codes sheet);
    a multiple choice becomes one 0/1 variable per option. CSV and XLSX text is written so that no cell
    can run as a spreadsheet formula. SPSS and Stata files are built whole in memory: above 10 million
    values (answers x variables) they are refused; the CSV has every answer, whatever their number.

    \b
    Example:
      diaspora survey export kz --out answers.csv --bom --token "$TOKEN"
      diaspora survey export kz --out answers.sav --lang ru --token "$TOKEN"
      diaspora survey export kz --out answers.dta --token "$TOKEN"
      diaspora survey export kz --out codebook.csv --format codebook --token "$TOKEN"
    """
    from diaspora_observatory.survey import statfiles

    chosen = export_format or {".xlsx": "xlsx", ".sav": "sav", ".dta": "dta"}.get(out.suffix.lower(), "csv")
    _admin(data_dir, token)
    with _store(data_dir) as store:
        record = store.get_survey(slug)
        if chosen == "csv":  # written a chunk of answers at a time, as the database sorts them
            written, table = statfiles.export_csv(record.form, store.blind_responses(slug), out, bom=bom)
        elif chosen == "codebook":  # the variables; the answers are read only to refuse one that no longer fits
            responses = store.responses(slug)
            written = len(responses)
            table = statfiles.export_answers(record.form, responses, out, chosen, language=language, bom=bom)
        else:  # as the CSV, arrival-blind; a workbook a row at a time, SPSS and Stata a column at a time, bounded
            statfiles.check_stat_size(chosen, store.count(slug), statfiles.variables(record.form, language))
            written, table = statfiles.export_file(record.form, store.blind_responses(slug), out, chosen,
                                                   language=language)
    click.echo(f"Wrote {out} ({chosen}: {written} answers, {len(table)} variables)")


@survey_group.command("set")
@click.argument("slug")
@click.option("--threshold", type=int, default=None,
              help="Smallest group of respondents the published results show (10 or more).")
@click.option("--publish", type=click.Choice(["batch", "close"]), default=None,
              help="batch: a new snapshot each time THRESHOLD new answers have arrived; close: only once closed.")
@click.option("--token", envvar="DIASPORA_ADMIN_TOKEN", help="The admin token [env: DIASPORA_ADMIN_TOKEN].")
@data_dir_option
def set_command(slug: str, threshold: int | None, publish: str | None, token: str | None,
                data_dir: Path | None) -> None:
    """Set how the results of SLUG are published: disclosure threshold and snapshots (admin token needed).

    \b
    Example:
      diaspora survey set kz --threshold 15 --publish close --token "$TOKEN"
    """
    _admin(data_dir, token)
    with _store(data_dir) as store:
        record = store.set_publication(slug, threshold=threshold, publish=publish)
    click.echo(f"Survey '{slug}': threshold {record.threshold}, results published "
               f"{'in batches of at least the threshold' if record.publish == 'batch' else 'when closed'}")


@survey_group.command("close")
@click.argument("slug")
@click.option("--token", envvar="DIASPORA_ADMIN_TOKEN", help="The admin token [env: DIASPORA_ADMIN_TOKEN].")
@click.option("--reopen", is_flag=True, help="Open the survey again instead.")
@data_dir_option
def close_command(slug: str, token: str | None, reopen: bool, data_dir: Path | None) -> None:
    """Close survey SLUG to new answers (answers are kept); --reopen opens it again.

    \b
    Example:
      diaspora survey close kz --token "$TOKEN"
    """
    _admin(data_dir, token)
    with _store(data_dir) as store:
        store.set_status(slug, "open" if reopen else "closed")
    click.echo(f"Survey '{slug}' is now {'open' if reopen else 'closed'}")


@survey_group.command("delete")
@click.argument("slug")
@click.option("--token", envvar="DIASPORA_ADMIN_TOKEN", help="The admin token [env: DIASPORA_ADMIN_TOKEN].")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@data_dir_option
def delete_command(slug: str, token: str | None, yes: bool, data_dir: Path | None) -> None:
    """Delete survey SLUG and all its answers (admin token needed).

    \b
    Example:
      diaspora survey delete wave2 --token "$TOKEN" --yes
    """
    _admin(data_dir, token)
    if not yes:
        click.confirm(f"Delete the survey '{slug}' and all its answers?", abort=True)
    with _store(data_dir) as store:
        deleted = store.delete_survey(slug)
    click.echo(f"Deleted survey '{slug}' and {deleted} answers")


@survey_group.command("token")
@click.option("--reset", is_flag=True, help="Write a new generated admin token; the old one stops working.")
@data_dir_option
def token_command(reset: bool, data_dir: Path | None) -> None:
    """Recover a lost admin token: --reset writes a new one to a file only you can read.

    Access to the data folder proves ownership, so no old token is asked for. The token itself is never
    printed (printed tokens end up in logs); only the file's path is.

    \b
    Example:
      diaspora survey token --reset
    """
    from diaspora_observatory.access import reset_admin_token
    from diaspora_observatory.case.package import user_data_dir

    if not reset:
        raise click.UsageError("pass --reset to replace the admin token (the token itself is never shown again)")
    path = reset_admin_token(data_dir or user_data_dir())
    click.echo(f"New admin token written to {path} (readable only by you); the old token no longer works. "
               f"Move it to a safe place and delete the file.")
