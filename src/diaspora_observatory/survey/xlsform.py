"""Read and write questionnaires in XLSForm (sheets ``survey``, ``choices``, ``settings``).

The observatory supports the part of XLSForm a self-run opinion survey needs: ``select_one``,
``select_multiple`` (also with ``or_other``), ``integer``, ``decimal``, ``text``, ``note``,
``begin group``/``end group``, ``required``, ``relevant``, ``constraint`` with ``constraint_message``,
``choice_filter`` (with ``allow_choice_duplicates``), ``hint``, ``appearance``, ``range`` (with
``parameters`` start/end/step), labels in several languages (``label::Russian (ru)``) and presentation
columns (media, ``required_message`` …) kept for export; settings ``form_title``, ``form_id`` (or its
older name ``id_string``), ``version``, ``default_language``, ``allow_choice_duplicates`` and ``style``
(read and ignored: the observatory has its own page layout). Everything else is refused with the
sheet, row and column, rather than half-supported: a form must not silently behave differently than
its author expects.

Metadata that KoboToolbox's form builder adds to every form (``start``, ``end``, ``today``,
``deviceid``, ``username``) is left out with a notice: the observatory never records times of day or
devices, so those rows collect nothing here. Types that identify the respondent (``phonenumber``,
``email``, SIM ids, location, audit logs) are refused: a form that asks for them is not an anonymous
survey, and its author must decide, not the importer. Names that the web form uses for its own fields
(``submission_id``, ``lang``, names starting ``__``), choice names with spaces (a ``select_multiple``
answer is a space-separated list) and a header written twice are refused with sheet, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from diaspora_observatory.spreadsheet_cells import column_letter
from diaspora_observatory.survey.errors import ExpressionError, FormIssue, XLSFormError
from diaspora_observatory.survey.expressions import parse, references
from diaspora_observatory.survey.model import SPECIFY_OTHER, Choice, Form, Question, added_label
from diaspora_observatory.survey.ranges import parse_parameters, range_problems
from diaspora_observatory.survey.steps import CONTROL_FIELDS, RESERVED_PREFIX

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
TRANSLATED = ("label", "hint", "constraint_message")
SURVEY_COLUMNS = {"type", "name", "required", "relevant", "constraint", "appearance", "choice_filter", "parameters"}
# Columns that only change how a question is presented, never what is stored or checked: accepted and
# kept for export (also with a language, ``image::English (en)``, ``media::audio::Russian (ru)``).
PRESENTATION = ("image", "big-image", "audio", "video", "media", "guidance_hint", "required_message", "autoplay")
CHOICE_COLUMNS = {"list_name", "name"}
SETTING_COLUMNS = ("form_title", "form_id", "version", "default_language", "allow_choice_duplicates")
# Read but not written back: id_string is form_id's older name; style only changes Enketo's layout.
READ_SETTINGS = (*SETTING_COLUMNS, "id_string", "style")
# What KoboToolbox's form builder adds by default: dropped with a notice (nothing of it is collected).
METADATA_TYPES = {"start", "end", "today", "deviceid", "username", "uri:deviceid", "uri:username"}
# What each metadata type that identifies the respondent records: refused (see the module docstring).
IDENTIFYING_TYPES = {"phonenumber": "the device's phone number", "uri:phonenumber": "the device's phone number",
                     "email": "the signed-in e-mail address", "uri:email": "the signed-in e-mail address",
                     "subscriberid": "the SIM card's subscriber id", "uri:subscriberid": "the SIM card's subscriber id",
                     "simserial": "the SIM card's serial number", "uri:simserial": "the SIM card's serial number",
                     "start-geopoint": "where the respondent is", "background-geopoint": "where the respondent is",
                     "audit": "when, and with some settings where, each answer was given"}
# pyxform's old type names for a question that asks the respondent's own phone number.
ASKS_IDENTITY = {"phone number", "phone_number"}
SIMPLE_TYPES = {"integer": "integer", "int": "integer", "decimal": "decimal", "text": "text", "note": "note"}
TRUE = {"yes", "true", "true()", "1"}
FALSE = {"", "no", "false", "false()", "0"}
FIX_TYPE = ("use one of select_one LIST, select_multiple LIST, integer, decimal, range, text, note, "
            "begin group, end group")


def _header(raw: Any) -> str:
    """A column header as pyxform reads it: trimmed, ``list name`` -> ``list_name``, ``label:X`` -> ``label::X``."""
    text = str(raw or "").strip()
    base, separator, language = text.partition(":")
    language = language.lstrip(":").strip()
    base = base.strip().lower().replace(" ", "_")
    return f"{base}::{language}" if separator and language else base


def _cell(cell: Any, sheet: str, row: int, column: str, issues: list[FormIssue]) -> str:
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", "s") == "f":
        issues.append(FormIssue(sheet, row, column, f"a formula ({value}); type the value itself"))
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


Records = list[tuple[int, dict[str, str]]]


def _read_sheet(workbook: Any, sheet: str, issues: list[FormIssue]) -> tuple[list[str], Records]:
    """The headers and the non-blank rows (with their spreadsheet row numbers) of one sheet."""
    rows = workbook[sheet].iter_rows()
    header_cells = next(rows, ())
    headers = [_header(cell.value) for cell in header_cells]
    first_seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in first_seen:
            # Which copy a tool reads differs (pyxform takes one, a spreadsheet shows both): refuse.
            columns = f"{column_letter(first_seen[header])} and {column_letter(index)}"
            issues.append(FormIssue(sheet, 1, header, f"the column '{header}' appears twice (columns {columns}); "
                                    "keep one of them"))
            headers[index] = ""  # read the first copy only, so the second is not reported again below
            continue
        first_seen[header] = index
    records = []
    for number, cells in enumerate(rows, start=2):
        record = {}
        for index, cell in enumerate(cells):
            if index < len(headers) and headers[index]:
                record[headers[index]] = _cell(cell, sheet, number, headers[index], issues)
            elif cell.value not in (None, "") and not (index < len(headers) and headers[index] == "" and
                                                       _header(header_cells[index].value)):
                issues.append(FormIssue(sheet, number, f"#{index + 1}", "a value in a column without a header; "
                                        "add a header or clear the cell"))
        if any(record.values()):
            records.append((number, record))
    return headers, records


def _check_columns(sheet: str, records: list[tuple[int, dict[str, str]]], known: set[str],
                   issues: list[FormIssue], accepted: tuple[str, ...] = ()) -> None:
    """Refuse columns outside the supported subset that hold any value (empty ones are harmless)."""
    reported: set[str] = set()
    for number, record in records:
        for column, value in record.items():
            base = column.split("::")[0]
            if value and column not in known and base not in TRANSLATED + accepted and column not in reported:
                reported.add(column)
                issues.append(FormIssue(sheet, number, column, f"the column '{column}' is not supported; "
                                        "remove the column (docs/survey.md lists the supported ones)"))


def _translations(record: dict[str, str], prefix: str) -> dict[str, str]:
    found = {}
    for column, value in record.items():
        base, _, language = column.partition("::")
        if base == prefix and value:
            found[language] = value
    return found


def _question(number: int, record: dict[str, str], choices: dict[str, list[Choice]],
              issues: list[FormIssue], notices: list[FormIssue]) -> Question | None:
    parts = record.get("type", "").split()
    raw_type = " ".join(parts)
    name = record.get("name", "")

    def refuse(column: str, message: str) -> None:
        issues.append(FormIssue("survey", number, column, message))

    if not parts:
        refuse("type", f"no type for '{name}'; {FIX_TYPE}")
        return None
    lowered = [part.lower() for part in parts]
    list_name = None
    if lowered[0] in ("select_one", "select_multiple", "select1"):
        kind = "select_multiple" if lowered[0] == "select_multiple" else "select_one"
        or_other = len(parts) == 3 and lowered[2] == "or_other"
        if len(parts) != 2 and not or_other:
            refuse("type", f"'{raw_type}' needs exactly one choice list name, as in 'select_one yes_no'")
            return None
        list_name = parts[1]
        if list_name not in choices:
            issues.append(FormIssue("choices", None, "list_name", f"no choice list '{list_name}' (used by "
                                    f"survey row {number}); add its choices to the choices sheet"))
    elif lowered[0] == "select_one_from_file" or lowered[0] == "select_multiple_from_file":
        refuse("type", f"'{raw_type}': choices from a file are not supported; copy the file's choices "
                       f"to the choices sheet and use {lowered[0].removesuffix('_from_file')} LIST")
        return None
    elif raw_type.lower() in ("begin group", "begin_group"):
        kind = "begin_group"
    elif raw_type.lower() in ("end group", "end_group"):
        kind = "end_group"
    elif raw_type.lower() in SIMPLE_TYPES and len(parts) == 1:
        kind = SIMPLE_TYPES[raw_type.lower()]
    elif raw_type.lower() == "range":
        kind = "range"
    elif raw_type.lower() in METADATA_TYPES:
        notices.append(FormIssue("survey", number, "type", f"'{raw_type}' ({name or 'no name'}) is metadata "
                                 "that ODK/KoboToolbox records by itself; the observatory never stores times of "
                                 "day, devices or user names, so it is not collected and the row is left out"))
        return None
    elif raw_type.lower() in IDENTIFYING_TYPES:
        refuse("type", f"'{raw_type}' records {IDENTIFYING_TYPES[raw_type.lower()]}, which identifies the "
                       "respondent in an anonymous survey; delete this row")
        return None
    elif raw_type.lower() in ASKS_IDENTITY:
        refuse("type", f"'{raw_type}' asks the respondent for their phone number, which identifies them in "
                       "an anonymous survey; delete this row (or, if the study truly needs it and respondents "
                       "are told, ask it as a text question)")
        return None
    elif raw_type.lower() in ("begin repeat", "begin_repeat", "end repeat", "end_repeat"):
        refuse("type", f"'{raw_type}': repeats are not supported; ask a fixed number of questions instead")
        return None
    else:
        refuse("type", f"the question type '{raw_type}' is not supported; {FIX_TYPE}")
        return None
    if kind != "end_group" and not NAME.match(name):
        refuse("name", f"'{name}' is not a valid name; start with a letter or _, then letters, digits, _ . -")
    elif kind != "end_group" and (name in CONTROL_FIELDS or name.startswith(RESERVED_PREFIX)):
        refuse("name", f"'{name}' is a name the web form uses for its own fields (submission_id, lang and names "
                       f"starting with {RESERVED_PREFIX}); an answer named so would be lost; rename the question")
    parameters: dict[str, str] = {}
    parameters_text = record.get("parameters", "")
    if kind == "range":
        parameters, problems = parse_parameters(parameters_text)
        problems += [] if problems else range_problems(parameters)
        for problem in problems:
            refuse("parameters", f"range '{name}': {problem}")
    elif parameters_text:
        refuse("parameters", f"parameters on '{raw_type}' are not supported (only range questions take "
                             "start, end and step); clear the cell")
    required_text = record.get("required", "").strip().lower()
    if required_text not in TRUE | FALSE:
        refuse("required", f"'{record.get('required')}' is not supported; write yes or no "
                           "(required expressions are not supported)")
    choice_filter = record.get("choice_filter", "")
    if choice_filter and list_name is None:
        refuse("choice_filter", f"a choice filter on '{raw_type}'; only select_one and select_multiple "
                                "questions have choices to filter")
    presentation = {column: value for column, value in record.items()
                    if value and column.split("::")[0] in PRESENTATION}
    question = Question(kind=kind, name=name, list_name=list_name, labels=_translations(record, "label"),
                        hints=_translations(record, "hint"), required=required_text in TRUE,
                        relevant=record.get("relevant", ""), constraint=record.get("constraint", ""),
                        constraint_messages=_translations(record, "constraint_message"),
                        appearance=record.get("appearance", ""), row=number,
                        choice_filter=choice_filter if list_name else "",
                        or_other=list_name is not None and len(parts) == 3, presentation=presentation,
                        parameters=parameters)
    return question


def _expand_or_other(questions: list[Question], issues: list[FormIssue]) -> list[Question]:
    """``select_one LIST or_other`` as XLSForm tools build it: the choice ``other`` (added by
    :meth:`Form.options`) and, right after, a text question ``<name>_other`` asked only when ``other``
    is chosen."""
    names = {question.name for question in questions}
    expanded = []
    for question in questions:
        expanded.append(question)
        if not question.or_other:
            continue
        other = f"{question.name}_other"
        if other in names:
            issues.append(FormIssue("survey", question.row, "type", f"'or_other' adds a question '{other}', but "
                                    "the form already has one; rename it or drop 'or_other'"))
            continue
        labels = {language: added_label(SPECIFY_OTHER, language) for language in (list(question.labels) or [""])}
        expanded.append(Question(kind="text", name=other, labels=labels,
                                 relevant=f"selected(${{{question.name}}}, 'other')", row=question.row,
                                 added_for=question.name))
    return expanded


def _check_expressions(form: Form, issues: list[FormIssue]) -> None:
    names = {question.name for question in form.questions if question.answers}
    for question in form.questions:
        for column in ("relevant", "constraint", "choice_filter"):
            text = getattr(question, column)
            if not text:
                continue
            try:
                # In a choice filter a bare word is a column of the choices sheet (``cf = ${county}``).
                columns = form.filter_columns(question) if column == "choice_filter" else None
                node = parse(text, columns=columns)
            except ExpressionError as error:
                issues.append(FormIssue("survey", question.row, column, f"{error.message}; {error.hint}"))
                continue
            for missing in sorted(references(node) - names):
                issues.append(FormIssue("survey", question.row, column, f"${{{missing}}} names no question; "
                                        "use the name of a question of this form"))


def _check_structure(form: Form, issues: list[FormIssue]) -> None:
    depth, seen = [], set()
    for question in form.questions:
        if question.kind == "begin_group":
            depth.append(question)
        elif question.kind == "end_group":
            if not depth:
                issues.append(FormIssue("survey", question.row, "type", "'end group' without a 'begin group'"))
            else:
                depth.pop()
        if question.kind != "end_group" and question.name:
            if question.name in seen:
                issues.append(FormIssue("survey", question.row, "name", f"the name '{question.name}' is used "
                                        "twice; give each question its own name"))
            seen.add(question.name)
    for unclosed in depth:
        issues.append(FormIssue("survey", unclosed.row, "type", f"the group '{unclosed.name}' is never closed; "
                                "add an 'end group' row"))


def read_xlsform(path: str | Path) -> Form:
    """Read an XLSForm workbook; raise :class:`XLSFormError` listing every unsupported or invalid cell.

    Example::

        form = read_xlsform("questionnaire.xlsx")
        [q.name for q in form.answer_questions()]
    """
    return read_xlsform_with_notices(path)[0]


def read_xlsform_with_notices(path: str | Path) -> tuple[Form, list[FormIssue]]:
    """Like :func:`read_xlsform`, also returning what was read but left out or ignored (metadata rows,
    the ``style`` setting), each with sheet, row and column, for the user to see."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from diaspora_observatory.spreadsheet_guard import check_workbook, error_name

    path = Path(path)
    check_workbook(path)  # a zip bomb or a sheet of billions of cells is refused before openpyxl opens it
    try:
        workbook = load_workbook(path)  # normal mode: read-only mode walks every declared empty row
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise XLSFormError(str(path), [FormIssue("(workbook)", None, None, f"not a readable .xlsx file ({error})")],
                           "save the questionnaire as an Excel .xlsx workbook") from error
    except Exception as error:
        # A damaged part that the guard does not unpack (styles, shared strings) reaches openpyxl, which
        # lets its decompressor's or XML parser's own error through (zlib.error, ParseError, TypeError …).
        raise XLSFormError(str(path), [FormIssue("(workbook)", None, None, "not a readable .xlsx file: a part of "
                                                 f"it is damaged ({error_name(error)}: {error})")],
                           "copy or download the original file again, or open it in a spreadsheet program and "
                           "save it again as .xlsx") from error
    notices: list[FormIssue] = []
    form = _read_workbook(path, workbook, notices)
    return form, sorted(notices, key=_sheet_order)


def _sheet_order(issue: FormIssue) -> tuple[int, int]:
    """Survey sheet first, then choices, then settings; rows in order (the sheets are read in another)."""
    return {"survey": 0, "choices": 1, "settings": 2}.get(issue.sheet, -1), issue.row or 0


def _read_workbook(path: Path, workbook: Any, notices: list[FormIssue]) -> Form:
    issues: list[FormIssue] = []
    if "survey" not in workbook.sheetnames:
        raise XLSFormError(str(path), [FormIssue("survey", None, None, "the workbook has no sheet named 'survey'; "
                                                 f"its sheets are {workbook.sheetnames}")])
    for extra in workbook.sheetnames:
        if extra not in ("survey", "choices", "settings"):
            issues.append(FormIssue(extra, None, None, f"the sheet '{extra}' is not supported; delete it "
                                    "(only survey, choices and settings are read)"))
    settings: dict[str, str] = {}
    if "settings" in workbook.sheetnames:
        _, records = _read_sheet(workbook, "settings", issues)
        _check_columns("settings", records, set(READ_SETTINGS), issues)
        if records:
            settings = records[0][1]
            _read_settings(settings, records[0][0], issues, notices)
        for number, _ in records[1:]:
            # XLSForm tools read the first row under the header only: a second one would be ignored unseen.
            issues.append(FormIssue("settings", number, None, f"a second row of settings (the first is row "
                                    f"{records[0][0]}); a form has one set of settings: move what this row says "
                                    f"into row {records[0][0]} and delete it"))
    duplicates_allowed = settings.get("allow_choice_duplicates", "").strip().lower() in TRUE
    choices: dict[str, list[Choice]] = {}
    if "choices" in workbook.sheetnames:
        _, records = _read_sheet(workbook, "choices", issues)
        # Any other column of the choices sheet is kept: choice filters read them, media is exported again;
        # none changes what is stored.
        for number, record in records:
            list_name, name = record.get("list_name", ""), record.get("name", "")
            if not list_name or not name:
                missing = "list_name" if not list_name else "name"
                issues.append(FormIssue("choices", number, missing, f"empty {missing}; every choice needs a list "
                                        "name and a name"))
                continue
            if any(character.isspace() for character in name):
                issues.append(FormIssue("choices", number, "name", f"'{name}' has a space; a select_multiple "
                                        "answer is a space-separated list of names, so this choice could never be "
                                        f"chosen; write it without spaces (as in '{'_'.join(name.split())}')"))
            if not duplicates_allowed and any(choice.name == name for choice in choices.get(list_name, [])):
                issues.append(FormIssue("choices", number, "name", f"'{name}' appears twice in the list "
                                        f"'{list_name}'; give each choice its own name (or set "
                                        "allow_choice_duplicates to yes on the settings sheet)"))
            columns = {column: value for column, value in record.items()
                       if value and column not in CHOICE_COLUMNS and column.split("::")[0] != "label"}
            choices.setdefault(list_name, []).append(Choice(name, _translations(record, "label"), columns))
    _, records = _read_sheet(workbook, "survey", issues)
    _check_columns("survey", records, SURVEY_COLUMNS, issues, PRESENTATION)
    questions = [question for number, record in records
                 if (question := _question(number, record, choices, issues, notices)) is not None]
    form = Form(form_id=settings.get("form_id") or path.stem, title=settings.get("form_title") or path.stem,
                questions=_expand_or_other(questions, issues), choices=choices, version=settings.get("version", ""),
                default_language=settings.get("default_language", ""),
                allow_choice_duplicates=duplicates_allowed)
    _check_structure(form, issues)
    _check_expressions(form, issues)
    if not form.answer_questions() and not issues:
        issues.append(FormIssue("survey", None, "type", "the form has no question that takes an answer"))
    if issues:
        issues.sort(key=_sheet_order)
        raise XLSFormError(str(path), issues)
    return form


def _read_settings(settings: dict[str, str], row: int, issues: list[FormIssue], notices: list[FormIssue]) -> None:
    """id_string is the older name of form_id (pyxform reads either); style is read and ignored."""
    id_string, form_id = settings.pop("id_string", ""), settings.get("form_id", "")
    if id_string and form_id and id_string != form_id:
        issues.append(FormIssue("settings", row, "id_string", f"'{id_string}' differs from form_id '{form_id}'; "
                                "they are two names of the same setting: keep one"))
    elif id_string:
        settings["form_id"] = id_string
    style = settings.pop("style", "")
    if style:
        notices.append(FormIssue("settings", row, "style", f"'{style}' changes only how Enketo lays out the form; "
                                 "the observatory shows its own layout, so the setting is ignored"))


def _string_cell(sheet: Any, row: int, column: int, value: str) -> None:
    """Write text that stays text: a label beginning with '=' must not become a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _translated_columns(prefix: str, languages: list[str]) -> list[tuple[str, str]]:
    return [(f"{prefix}::{language}" if language else prefix, language) for language in languages]


def write_xlsform(form: Form, path: str | Path) -> Path:
    """Write ``form`` as an XLSForm workbook that :func:`read_xlsform` (and ODK/KoboToolbox) read back.

    A question that came with ``or_other`` is written with ``or_other`` again, without the text question
    and choice that the import added for it; choice columns and presentation columns are written back.
    """
    from openpyxl import Workbook

    path = Path(path)
    languages = form.languages or [""]
    workbook = Workbook()
    survey = workbook.worksheets[0]  # the sheet a new workbook opens with (``active`` is typed optional)
    survey.title = "survey"
    written = [question for question in form.questions if not question.added_for]
    columns: list[tuple[str, Any]] = [("type", None), ("name", None)]
    columns += [(header, ("labels", language)) for header, language in _translated_columns("label", languages)]
    columns += [(header, ("hints", language)) for header, language in _translated_columns("hint", languages)]
    columns += [("required", None), ("relevant", None), ("constraint", None)]
    columns += [(header, ("constraint_messages", language))
                for header, language in _translated_columns("constraint_message", languages)]
    columns += [("appearance", None)]
    if any(question.choice_filter for question in written):
        columns += [("choice_filter", None)]
    if any(question.parameters for question in written):
        columns += [("parameters", None)]
    presentation = dict.fromkeys(header for question in written for header in question.presentation)
    columns += [(header, ("presentation", header)) for header in presentation]
    for index, (header, _) in enumerate(columns, start=1):
        survey.cell(row=1, column=index, value=header)
    for row, question in enumerate(written, start=2):
        kind = {"begin_group": "begin group", "end_group": "end group"}.get(question.kind, question.kind)
        type_text = f"{kind} {question.list_name}" if question.list_name else kind
        values = {"type": f"{type_text} or_other" if question.or_other else type_text,
                  "name": question.name, "required": "yes" if question.required else "",
                  "relevant": question.relevant, "constraint": question.constraint, "appearance": question.appearance,
                  "choice_filter": question.choice_filter,
                  "parameters": " ".join(f"{key}={value}" for key, value in question.parameters.items())}
        for index, (header, translated) in enumerate(columns, start=1):
            value = getattr(question, translated[0]).get(translated[1], "") if translated else values[header]
            if value:
                _string_cell(survey, row, index, value)
    choices = workbook.create_sheet("choices")
    extra = list(dict.fromkeys(column for options in form.choices.values() for choice in options
                               for column in choice.columns))
    choice_columns = ["list_name", "name", *(header for header, _ in _translated_columns("label", languages)), *extra]
    for index, header in enumerate(choice_columns, start=1):
        choices.cell(row=1, column=index, value=header)
    row = 2
    for list_name, options in form.choices.items():
        for choice in options:
            _string_cell(choices, row, 1, list_name)
            _string_cell(choices, row, 2, choice.name)
            for index, language in enumerate(languages, start=3):
                if choice.labels.get(language):
                    _string_cell(choices, row, index, choice.labels[language])
            for index, column in enumerate(extra, start=3 + len(languages)):
                if choice.columns.get(column):
                    _string_cell(choices, row, index, choice.columns[column])
            row += 1
    settings = workbook.create_sheet("settings")
    values = {"form_title": form.title, "form_id": form.form_id, "version": form.version,
              "default_language": form.default_language,
              "allow_choice_duplicates": "yes" if form.allow_choice_duplicates else ""}
    for index, header in enumerate(SETTING_COLUMNS, start=1):
        settings.cell(row=1, column=index, value=header)
        if values[header]:
            _string_cell(settings, 2, index, values[header])
    workbook.save(path)
    return path
