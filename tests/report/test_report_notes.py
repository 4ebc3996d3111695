"""The report's notes in Russian and Kazakh: a note of the data is marked with its language, never passed off
as the report's own text; the observatory's own notes are translated (issue 10, as the web pages do). The web
pages label each such note; the report marks it (``lang``) and says once, on its title page, that the data's
own texts are given in their original language (issue 14)."""

from __future__ import annotations

import pytest

from diaspora_observatory.report.build import build_report
from diaspora_observatory.report.cells import note_cell, table_view
from diaspora_observatory.report.writer import Writer

ONCE = ("Названия и заглавия источников, утверждения исследования и примечания к данным кейса приведены на "
        "языке оригинала — английском.")


@pytest.fixture(scope="module")
def russian_report(tmp_path_factory, case) -> str:
    out = tmp_path_factory.mktemp("report-ru")
    build_report(case, out, language="ru")
    return (out / "report.html").read_text(encoding="utf-8")


def test_a_note_in_a_cell_and_in_a_footnote_carries_its_language(russian_report):
    assert ('<td class="long"><span lang="en">The study says unofficial data suggest up to four and a half million.'
            '</span></td>') in russian_report
    assert ('<li><b>[1]</b> Примечание: <span lang="en">The study does not say whether at least monthly includes '
            'the daily group.</span></li>') in russian_report
    assert russian_report.count(ONCE) == 1


def test_notes_are_plain_in_the_datas_language_and_translated_when_the_observatorys(case):
    english, kazakh = Writer(case, "en"), Writer(case, "kk")
    note = "Year not stated in the study; the year of the source (2024) is used."
    assert note_cell(note, english).lang == "" and note_cell(note, english).text == note
    marked = note_cell(note, kazakh)
    assert (marked.text, marked.lang) == (note, "en")
    own = note_cell("The study gives no year or period for this count; none is shown.", Writer(case, "ru"))
    assert (own.text, own.lang) == ("Исследование не называет год или период для этой численности, поэтому он не "
                                    "указан.", "")
    assert note_cell("", kazakh).lang == ""  # an empty note is no text (gettext("") would be the catalog header)


def test_a_note_the_same_in_every_row_is_stated_once_and_keeps_its_mark(case):
    import pandas as pd

    frame = pd.DataFrame({"country": ["KGZ", "TJK", "TKM"], "note": ["Same note for every host of the table."] * 3})
    view = table_view("example", frame, None, Writer(case, "ru"), appendix=True)
    [(header, constant)] = view.constants
    assert (header, constant.text, constant.lang) == ("Примечание", "Same note for every host of the table.", "en")
    assert view.columns == ["country"]
