"""Answers exported from KoboToolbox, ODK Central and LimeSurvey, in those tools' own CSV layouts.

The ODK Central exports are real files (../shared/data/odk-exports). KoboToolbox and LimeSurvey exports
have no real file here: the fixtures below follow the layouts the platforms document — KoboToolbox's
help article "Exporting and downloading your data" (value and header format "Labels" or "XML values and
headers", "Include groups in headers" with the group separator, select-many as "single and separate
columns", the HXL hashtag row, ';'-separated quoted CSV with the _id, _uuid, _submission_time … columns
at the end) and the LimeSurvey manual's "Exporting results" (headings "Question code", responses
"Answer codes": array items as Q[SQ001], a multiple choice's options as Q[code] holding Y, an "other"
option's text as Q[other] with -oth- as the answer code).
"""

from __future__ import annotations

import pytest
from survey_helpers import SHARED_DATA

from diaspora_observatory.survey.errors import ResponsesImportError
from diaspora_observatory.survey.imports import import_responses

# KoboToolbox "XML values and headers" export: ';' separated, group paths with '/', a 0/1 column per
# choice of a multiple choice, metadata columns that must not be kept.
KOBO = (
    "start;end;today;deviceid;identity/identity_family_language;identity/identity_holidays;identity/identity_news;"
    "identity/identity_dress;home_language;contact_frequency;state_support_rating;background/age_band;"
    "background/gender;background/country_of_residence;background/citizenship;comments;meta/instanceID;_id;_uuid;"
    "_submission_time;_validation_status;_notes;_status;_submitted_by;__version__;_tags;_index\n"
    "2024-03-01T10:00:00.000+06:00;2024-03-01T10:05:00.000+06:00;2024-03-01;enketo.org:abc;5;4;3;2;mainly_kazakh;"
    "daily;3;age_30_44;female;KGZ;both;Рахмет;uuid:0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0001;101;"
    "0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0001;2024-03-01T04:05:10;;;submitted_via_web;;vX;;1\n"
    "2024-03-02T10:00:00.000+06:00;2024-03-02T10:05:00.000+06:00;2024-03-02;enketo.org:abd;4;4;4;1;kazakh_only;"
    "at_least_monthly;;age_60_plus;male;UZB;kazakhstan;;uuid:0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0002;102;"
    "0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0002;2024-03-02T04:05:10;;;submitted_via_web;;vX;;2\n"
)

# ODK Central CSV: ',' separated, group paths with '-', SubmissionDate and instanceID metadata.
ODK = (
    "SubmissionDate,identity-identity_family_language,identity-identity_holidays,identity-identity_news,"
    "identity-identity_dress,home_language,contact_frequency,state_support_rating,background-age_band,background-gender,"
    "background-country_of_residence,background-citizenship,comments,meta-instanceID,KEY,SubmitterID,SubmitterName,"
    "AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
    "2024-03-05T08:00:00.000Z,3,3,3,3,Mainly Russian,Less often,2,age_18_29,not_say,TJK,other,,"
    "uuid:aa11,uuid:aa11,5,Enumerator,0,0,,,collect:xyz,0,2026-11\n"
)

# LimeSurvey "CSV, answer codes" export: codes without underscores, metadata first.
LIMESURVEY = (
    '"id","submitdate","lastpage","startlanguage","seed","startdate","datestamp","ipaddr","refurl",'
    '"identityfamilylanguage","identityholidays","identitynews","identitydress","homelanguage","contactfrequency",'
    '"statesupportrating","ageband","gender","countryofresidence","citizenship","comments"\n'
    '"7","2024-04-01 09:00:00","3","ru","12345","2024-04-01 08:50:00","2024-04-01 09:00:00","203.0.113.5",'
    '"https://t.me/","5","5","4","3","mainlykazakh","daily","4","age1829","female","KGZ","residencecountry",'
    '"=HYPERLINK(""http://x"")"\n'
)



def counts(summary):
    return (summary.read, summary.stored, summary.already_stored, summary.replaced)


def test_kobo_export(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text(KOBO, encoding="utf-8")
    summary = import_responses(store, "kz", path, "kobo")
    assert counts(summary) == (2, 2, 0, 0)
    stored = store.responses("kz")
    assert [row["submission_id"] for row in stored] == ["kobo-0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0001",
                                                        "kobo-0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0002"]
    assert stored[0]["answers"] == {
        "identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
        "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
        "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both",
        "comments": "Рахмет"}
    assert stored[0]["origin"] == "import:kobo"
    # Metadata (times, device) is never stored, and the summary says which columns were left out.
    assert "enketo" not in str(stored) and "10:05" not in str(stored) and "04:05:10" not in str(stored)
    assert summary.metadata_columns == [
        "start", "end", "today", "deviceid", "meta/instanceID", "_id", "_uuid", "_submission_time",
        "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
    assert summary.unmatched_columns == [] and len(summary.matched_columns) == 12
    # Importing again stores nothing new.
    assert counts(import_responses(store, "kz", path, "kobo")) == (2, 0, 2, 0)


def test_odk_central_export_with_labels(store, tmp_path):
    path = tmp_path / "odk.csv"
    path.write_text(ODK, encoding="utf-8")
    assert import_responses(store, "kz", path, "odk").stored == 1
    answers = store.responses("kz")[0]["answers"]
    assert answers["home_language"] == "mainly_russian" and answers["contact_frequency"] == "less_often"
    assert answers["country_of_residence"] == "TJK"
    # The instance id is the same on ODK Central and KoboToolbox: one prefix, so a submission is stored once.
    assert store.responses("kz")[0]["submission_id"] == "kobo-aa11"
    assert store.responses("kz")[0]["origin"] == "import:odk"
    assert counts(import_responses(store, "kz", path, "kobo")) == (1, 0, 1, 0)


def test_limesurvey_export(store, tmp_path):
    path = tmp_path / "limesurvey.csv"
    path.write_text(LIMESURVEY, encoding="utf-8")
    assert import_responses(store, "kz", path, "limesurvey").stored == 1
    stored = store.responses("kz")[0]
    assert stored["submission_id"] == "limesurvey-7"
    assert stored["answers"]["home_language"] == "mainly_kazakh"
    assert stored["answers"]["age_band"] == "age_18_29" and stored["answers"]["citizenship"] == "residence_country"
    assert "203.0.113.5" not in str(stored) and "t.me" not in str(stored)


def test_bad_value_names_row_and_column(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text(KOBO.replace(";mainly_kazakh;", ";klingon;"), encoding="utf-8")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", path, "kobo")
    assert raised.value.message == "kobo.csv row 2, column 'home_language': 'klingon' is not a choice of home_language"
    assert store.count("kz") == 0  # all or nothing


def test_missing_required_answer_names_row(store, tmp_path):
    path = tmp_path / "limesurvey.csv"
    path.write_text(LIMESURVEY.replace('"mainlykazakh"', '""'), encoding="utf-8")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", path, "limesurvey")
    assert raised.value.message == ("limesurvey.csv row 2, column 'homelanguage', question home_language: this "
                                    "question needs an answer")


# A form with what KoboToolbox users write: the metadata its form builder adds, a group, a range, a
# select_multiple and a select_one with or_other, labels in English and Russian.
WAVE_SURVEY = [
    ["type", "name", "label::English (en)", "label::Russian (ru)", "required", "relevant", "parameters"],
    ["start", "start"], ["end", "end"], ["today", "today"], ["deviceid", "deviceid"], ["username", "username"],
    ["begin_group", "about", "About you", "О вас"],
    ["select_one yes_no", "lives_abroad", "Do you live outside Kazakhstan?", "Живёте ли вы за пределами Казахстана?",
     "yes"],
    ["range", "years_abroad", "For how many years?", "Сколько лет?", "", "${lives_abroad} = 'yes'",
     "start=0 end=60 step=1"],
    ["end_group", ""],
    ["select_multiple languages", "languages", "Languages you speak at home", "Языки, на которых вы говорите дома"],
    ["select_one city or_other", "city", "City", "Город"],
    ["text", "comments", "Comments", "Комментарии"],
]
WAVE_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Russian (ru)"],
    ["yes_no", "yes", "Yes", "Да"], ["yes_no", "no", "No", "Нет"],
    ["languages", "kk", "Kazakh", "Казахский"], ["languages", "ru", "Russian", "Русский"],
    ["languages", "en", "English", "Английский"],
    ["city", "almaty", "Almaty", "Алматы"], ["city", "bishkek", "Bishkek", "Бишкек"],
]
WAVE_ONE = {"lives_abroad": "yes", "years_abroad": 12, "languages": ["kk", "ru"], "city": "almaty",
            "comments": "Рахмет"}
WAVE_TWO = {"lives_abroad": "no", "languages": ["en"], "city": "other", "city_other": "Taraz"}
META_END = '"_id";"_uuid";"_submission_time";"_validation_status";"_notes";"_status";"_submitted_by";"__version__";' \
    '"_tags";"_index"'
# KoboToolbox, value and header format "Labels" (English), groups not in headers, select-many "single and
# separate columns", with the HXL hashtag row; ';' separated, every cell quoted.
KOBO_LABELS = (
    '"start";"end";"today";"deviceid";"username";"Do you live outside Kazakhstan?";"For how many years?";'
    '"Languages you speak at home";"Languages you speak at home/Kazakh";"Languages you speak at home/Russian";'
    '"Languages you speak at home/English";"City";"Specify other.";"Comments";' + META_END + "\n"
    '"";"";"";"";"";"#status+abroad";"#indicator+years";"#language";"";"";"";"#loc+city";"";"";"";"";"";"";"";"";'
    '"";"";"";""\n'
    '"2024-03-01T10:00:00.000+06:00";"2024-03-01T10:05:00.000+06:00";"2024-03-01";"enketo.org:abc";"";"Yes";"12";'
    '"Kazakh Russian";"1";"1";"0";"Almaty";"";"Рахмет";"101";"5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111";'
    '"2024-03-01T04:05:10";"";"";"submitted_via_web";"";"vX";"";"1"\n'
    '"2024-03-02T10:00:00.000+06:00";"2024-03-02T10:05:00.000+06:00";"2024-03-02";"enketo.org:abd";"";"No";"";'
    '"English";"0";"0";"1";"Other";"Taraz";"";"102";"5a0c2a7f-0002-4c39-9b0e-0b2f6c2e1111";'
    '"2024-03-02T04:05:10";"";"";"submitted_via_web";"";"vX";"";"2"\n'
)
# The same answers as "XML values and headers" with groups in headers ('/' by default), ',' separated.
KOBO_NAMES = (
    "start,end,about/lives_abroad,about/years_abroad,languages,languages/kk,languages/ru,languages/en,city,"
    "city_other,comments,_id,_uuid,_submission_time,_index\n"
    "2024-03-01T10:00:00.000+06:00,2024-03-01T10:05:00.000+06:00,yes,12,kk ru,1,1,0,almaty,,Рахмет,101,"
    "5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111,2024-03-01T04:05:10,1\n"
    "2024-03-02T10:00:00.000+06:00,2024-03-02T10:05:00.000+06:00,no,,en,0,0,1,other,Taraz,,102,"
    "5a0c2a7f-0002-4c39-9b0e-0b2f6c2e1111,2024-03-02T04:05:10,2\n"
)


def wave_form(tmp_path):
    """The form above, read from the XLSForm workbook it makes in ``tmp_path``."""
    from openpyxl import Workbook

    from diaspora_observatory.survey.xlsform import read_xlsform

    book = Workbook()
    book.active.title = "survey"
    for row in WAVE_SURVEY:
        book["survey"].append(row)
    book.create_sheet("choices")
    for row in WAVE_CHOICES:
        book["choices"].append(row)
    book.save(tmp_path / "wave.xlsx")
    return read_xlsform(tmp_path / "wave.xlsx")


@pytest.fixture
def wave(store, tmp_path):
    store.add_survey("wave", wave_form(tmp_path))
    return store


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def answers_of(store, slug="wave"):
    return [row["answers"] for row in store.responses(slug)]


def test_kobo_labels_export_with_hxl_row_and_split_columns(wave, tmp_path):
    summary = import_responses(wave, "wave", write(tmp_path, "labels.csv", KOBO_LABELS), "kobo")
    assert counts(summary) == (2, 2, 0, 0)
    assert answers_of(wave) == [WAVE_ONE, WAVE_TWO]
    assert summary.skipped == [(2, "HXL hashtags (#…) under the header, not an answer")]
    assert summary.matched_columns["Languages you speak at home/Russian"] == "languages/ru"
    assert summary.metadata_columns == ["start", "end", "today", "deviceid", "username", "_id", "_uuid",
                                        "_submission_time", "_validation_status", "_notes", "_status",
                                        "_submitted_by", "__version__", "_tags", "_index"]
    assert "Headers are the questions' labels (KoboToolbox 'Labels' export): answers are read as choice labels" \
        in summary.notices
    # No time of day, device or platform id reaches the database.
    assert not any(text in str(wave.responses("wave")) for text in ("10:05", "04:05", "enketo", "101", "vX"))


def test_kobo_names_export_with_group_paths_and_commas(wave, tmp_path):
    summary = import_responses(wave, "wave", write(tmp_path, "names.csv", KOBO_NAMES), "kobo")
    assert counts(summary) == (2, 2, 0, 0) and summary.skipped == []
    assert answers_of(wave) == [WAVE_ONE, WAVE_TWO]
    assert summary.matched_columns["about/years_abroad"] == "years_abroad"


def test_kobo_labels_in_russian_and_group_separator_dash(wave, tmp_path):
    text = ('"О вас-Живёте ли вы за пределами Казахстана?";"О вас-Сколько лет?";"Языки, на которых вы говорите дома";'
            '"Город";"_uuid"\n"Да";"7";"Казахский Английский";"Бишкек";"u-1"\n')
    summary = import_responses(wave, "wave", write(tmp_path, "ru.csv", text), "kobo")
    assert counts(summary) == (1, 1, 0, 0)
    assert answers_of(wave) == [{"lives_abroad": "yes", "years_abroad": 7, "languages": ["kk", "en"],
                                 "city": "bishkek"}]


def test_labels_joined_with_spaces_are_split_only_when_unambiguous(wave, tmp_path):
    from openpyxl import Workbook

    from diaspora_observatory.survey.xlsform import read_xlsform

    book = Workbook()
    book.active.title = "survey"
    book["survey"].append(["type", "name", "label"])
    book["survey"].append(["select_multiple parts", "parts", "Parts"])
    book.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["parts", "a", "North"], ["parts", "b", "South"],
                ["parts", "c", "North South"]):
        book["choices"].append(row)
    book.save(tmp_path / "parts.xlsx")
    wave.add_survey("parts", read_xlsform(tmp_path / "parts.xlsx"))
    path = write(tmp_path, "parts.csv", '"Parts";"_uuid"\n"North South";"p-1"\n')
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "parts", path, "kobo")
    assert raised.value.message == ("parts.csv row 2, column 'Parts': 'North South' cannot be split into choices of "
                                    "parts in exactly one way")
    assert raised.value.hint == ("export with 'separate columns' for select_multiple questions, or with XML values")


def test_export_that_matches_nothing_is_refused_and_the_right_one_then_imports(wave, tmp_path):
    # Labels in a language the form does not have: before, this stored every answer empty.
    german = ('"Wohnen Sie außerhalb Kasachstans?";"Stadt";"_uuid"\n"Ja";"Almaty";"5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111"'
              '\n"Nein";"Bishkek";"5a0c2a7f-0002-4c39-9b0e-0b2f6c2e1111"\n')
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "de.csv", german), "kobo")
    assert raised.value.message == (
        "de.csv: no column matches a question of the form 'wave' (by name, by label in English (en), Russian (ru), "
        "with or without group paths); nothing was stored; its columns are: Wohnen Sie außerhalb Kasachstans?, "
        "Stadt, _uuid")
    assert raised.value.hint == ("check that the file is an export of this survey's form (`diaspora survey list`); "
                                 "if its headers differ, map them with --map COLUMN=QUESTION")
    assert wave.count("wave") == 0
    # The same ids in a right export are not "taken".
    assert counts(import_responses(wave, "wave", write(tmp_path, "names.csv", KOBO_NAMES), "kobo")) == (2, 2, 0, 0)


def test_hxl_row_alone_is_not_an_empty_submission_id(wave, tmp_path):
    text = KOBO_NAMES.replace("\n", "\n#,#,#status,,,,,,#loc,,,,,,\n", 1)
    summary = import_responses(wave, "wave", write(tmp_path, "hxl.csv", text), "kobo")
    assert counts(summary) == (2, 2, 0, 0) and summary.skipped[0][0] == 2


def test_columns_that_match_no_question_are_named(wave, tmp_path):
    text = KOBO_NAMES.replace("comments,", "comments,favourite_food,", 1).replace(
        "Рахмет,", "Рахмет,plov,", 1).replace("other,Taraz,,", "other,Taraz,,manty,", 1)
    summary = import_responses(wave, "wave", write(tmp_path, "extra.csv", text), "kobo")
    assert summary.unmatched_columns == ["favourite_food"]
    assert "Columns that match no question of the form (not imported): favourite_food" in summary.lines()
    assert "plov" not in str(wave.responses("wave"))


def test_a_mapped_column_is_read(wave, tmp_path):
    text = KOBO_NAMES.replace("comments,", "remarks,", 1)
    summary = import_responses(wave, "wave", write(tmp_path, "mapped.csv", text), "kobo", column_map=["remarks=comments"])
    assert summary.matched_columns["remarks"] == "comments" and answers_of(wave)[0]["comments"] == "Рахмет"
    with pytest.raises(ResponsesImportError, match=r"^--map: 'remark' \(in --map remarks=remark\) is not a question"):
        import_responses(wave, "wave", write(tmp_path, "mapped.csv", text), "kobo", column_map=["remarks=remark"])


def test_split_columns_that_disagree_with_the_joined_one_are_refused(wave, tmp_path):
    text = KOBO_NAMES.replace("kk ru,1,1,0", "kk ru,1,0,0", 1)
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "split.csv", text), "kobo")
    assert raised.value.message == ("split.csv row 2: column 'languages' says kk ru but the columns languages/kk, "
                                    "languages/ru, languages/en say kk")


def test_range_answers_are_checked_against_start_end_and_step(wave, tmp_path):
    for value, message in (("61", "enter a number from 0 to 60"), ("2.5", "enter a number from 0 to 60 in steps of 1"),
                           ("many", "enter a number")):
        text = KOBO_NAMES.replace("yes,12,", f"yes,{value},", 1)
        with pytest.raises(ResponsesImportError) as raised:
            import_responses(wave, "wave", write(tmp_path, "range.csv", text), "kobo")
        assert raised.value.message == f"range.csv row 2, column 'about/years_abroad', question years_abroad: {message}"
    assert wave.count("wave") == 0


def test_an_invalid_last_row_stores_nothing_and_the_corrected_file_imports(wave, tmp_path):
    faulty = KOBO_NAMES.replace(",other,Taraz,", ",nowhere,Taraz,", 1)
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "faulty.csv", faulty), "kobo")
    assert raised.value.message == "faulty.csv row 3, column 'city': 'nowhere' is not a choice of city"
    assert wave.count("wave") == 0  # row 2 was fine, and is not stored either
    assert counts(import_responses(wave, "wave", write(tmp_path, "fixed.csv", KOBO_NAMES), "kobo")) == (2, 2, 0, 0)


def test_a_conflict_stops_the_whole_import_and_replace_settles_it(wave, tmp_path):
    import_responses(wave, "wave", write(tmp_path, "first.csv", KOBO_NAMES.rsplit("\n", 2)[0] + "\n"), "kobo")
    assert wave.count("wave") == 1
    corrected = KOBO_NAMES.replace("Рахмет", "Рахмет!", 1)
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "corrected.csv", corrected), "kobo")
    assert raised.value.message == ("corrected.csv row 2: submission 5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111 was imported "
                                    "before with other answers; nothing was stored")
    assert raised.value.hint == "if this file corrects the earlier one, import it again with --replace"
    assert wave.count("wave") == 1  # the new row 3 was not stored either
    summary = import_responses(wave, "wave", write(tmp_path, "corrected.csv", corrected), "kobo", replace=True)
    assert counts(summary) == (2, 1, 0, 1)
    assert answers_of(wave)[0]["comments"] == "Рахмет!"


def test_replace_never_touches_answers_collected_on_the_web(wave, tmp_path):
    wave.submit("wave", "kobo-5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111", {"lives_abroad": "no"}, "web")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "names.csv", KOBO_NAMES), "kobo", replace=True)
    assert raised.value.hint == "answers collected on the web are never replaced by an import; remove the row from the file"
    assert answers_of(wave) == [{"lives_abroad": "no"}]


def test_replace_never_changes_a_published_answer(wave, tmp_path):
    """Rule 5 of submission.py: a published snapshot only grows, so an answer it holds is not replaced."""
    header, first = KOBO_NAMES.splitlines()[:2]
    rows = [first.replace("5a0c2a7f-0001", f"5a0c2a7f-{n:04d}").replace(",101,", f",{100 + n},") for n in range(1, 11)]
    import_responses(wave, "wave", write(tmp_path, "ten.csv", "\n".join([header, *rows]) + "\n"), "kobo")
    assert wave.snapshot_state("wave").number == 1  # ten answers: the threshold, published
    corrected = "\n".join([header, rows[0].replace("Рахмет", "Рахмет!")]) + "\n"
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "corrected.csv", corrected), "kobo", replace=True)
    assert raised.value.message == ("corrected.csv row 2: submission 5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111 was imported "
                                    "before and published (snapshot 1) with other answers; nothing was stored")
    assert raised.value.hint == ("published answers never change (two publications differing by one respondent's "
                                 "answers would show them); remove the row from the file")
    assert answers_of(wave) == [WAVE_ONE] * 10


def test_an_id_twice_in_a_file_is_a_replay_or_a_conflict_as_on_the_web(wave, tmp_path):
    """Rule 3 of submission.py within one file: the earlier row as if stored (as the group committer treats
    an id twice in one batch). Other answers stop the import with the row; the same answers are stored once."""
    text = KOBO_NAMES.replace("0002-4c39", "0001-4c39")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "twice.csv", text), "kobo", replace=True)
    assert raised.value.message == ("twice.csv row 3: submission 5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111 is also on row 2 "
                                    "with other answers; nothing was stored")
    assert raised.value.hint == "keep one row per submission"
    assert wave.count("wave") == 0
    rows = KOBO_NAMES.splitlines()
    again = "\n".join([*rows, rows[1].replace(",101,", ",103,")]) + "\n"  # row 2 exported twice (Kobo's _id aside)
    assert counts(import_responses(wave, "wave", write(tmp_path, "again.csv", again), "kobo")) == (3, 2, 1, 0)
    assert answers_of(wave) == [WAVE_ONE, WAVE_TWO]


def test_short_rows_and_duplicated_headers_are_refused(wave, tmp_path):
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "short.csv", KOBO_NAMES.rsplit(",", 3)[0] + "\n"), "kobo")
    assert raised.value.message == "short.csv row 3: 12 cells where the header has 15"
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "dup.csv", KOBO_NAMES.replace("city_other,", "city,", 1)),
                         "kobo")
    assert raised.value.message == ("dup.csv row 1: the column 'city' appears twice (columns 9 and 10); which one "
                                    "holds the answers is unclear")


def test_a_workbook_or_non_utf8_file_is_refused(wave, tmp_path):
    (tmp_path / "x.csv").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", tmp_path / "x.csv", "kobo")
    assert raised.value.message == "x.csv: this is a zip or an Excel workbook, not a CSV file"
    (tmp_path / "y.csv").write_bytes(KOBO_NAMES.encode("cp1251"))
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", tmp_path / "y.csv", "kobo")
    assert raised.value.message == "y.csv line 2: not UTF-8 text (byte 244 of the file cannot be read)"
    assert KOBO_NAMES.encode("cp1251")[243:244] == "Р".encode("cp1251")  # the first letter of Рахмет


# LimeSurvey, headings "Question code", responses "Answer codes": the study's identity items as one
# array question 'identity' (items named after the form's questions) and a list question with "other".
LIMESURVEY_ARRAY = (
    '"id","submitdate","lastpage","startlanguage","seed","identity[familylanguage]","identity[holidays]",'
    '"identity[news]","identity[dress]","homelanguage","contactfrequency","ageband","countryofresidence",'
    '"countryofresidence[other]","citizenship","citizenship[other]"\n'
    '"11","2024-04-01 09:00:00","3","ru","5","5","4","3","2","mainlykazakh","daily","age3044","KGZ","","both",""\n'
    '"12","2024-04-01 10:00:00","3","ru","6","4","4","4","1","kazakhonly","lessoften","age6064","-oth-","Turkey",'
    '"-oth-","Türkiye"\n'
    '"13","","1","ru","7","3","","","","","","","","","",""\n'
)


def test_limesurvey_array_items_and_other_texts(store, tmp_path):
    text = LIMESURVEY_ARRAY.replace("age6064", "age60plus").replace('"Turkey"', '""').replace('"Türkiye"', '""')
    summary = import_responses(store, "kz", write(tmp_path, "ls.csv", text), "limesurvey")
    assert counts(summary) == (3, 2, 0, 0)
    assert summary.skipped == [(4, "not completed in LimeSurvey (no submitdate)")]
    first, second = answers_of(store, "kz")
    assert first == {"identity_family_language": "5", "identity_holidays": "4", "identity_news": "3",
                     "identity_dress": "2", "home_language": "mainly_kazakh", "contact_frequency": "daily",
                     "age_band": "age_30_44", "country_of_residence": "KGZ", "citizenship": "both"}
    assert second["country_of_residence"] == "other" and second["citizenship"] == "other"
    assert summary.matched_columns["countryofresidence[other]"] == "country_of_residence"


def test_limesurvey_other_text_without_a_question_to_hold_it_is_refused(store, tmp_path):
    # The default form has no text question for these "other" answers: the texts are refused, not dropped.
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", write(tmp_path, "ls.csv", LIMESURVEY_ARRAY.replace("age6064", "age60plus")),
                         "limesurvey")
    assert raised.value.message == ("ls.csv row 3: an 'other' text for country_of_residence ('Turkey') but the form "
                                    "has no question country_of_residence_other to hold it")


def test_limesurvey_array_with_generated_item_codes_needs_a_map(store, tmp_path):
    text = (LIMESURVEY_ARRAY.replace("identity[familylanguage]", "Q1[SQ001]").replace("identity[holidays]", "Q1[SQ002]")
            .replace("identity[news]", "Q1[SQ003]").replace("identity[dress]", "Q1[SQ004]")
            .replace('"Turkey"', '""').replace('"Türkiye"', '""').replace("age6064", "age60plus"))
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", write(tmp_path, "ls.csv", text), "limesurvey")
    # Without the array the rows miss required answers: refused, naming the first.
    assert raised.value.message == "ls.csv row 2, question identity_family_language: this question needs an answer"
    mapping = [f"Q1[SQ00{number}]={name}" for number, name in enumerate(
        ("identity_family_language", "identity_holidays", "identity_news", "identity_dress"), start=1)]
    summary = import_responses(store, "kz", write(tmp_path, "ls.csv", text), "limesurvey", column_map=mapping)
    assert summary.unmatched_columns == [] and summary.matched_columns["Q1[SQ003]"] == "identity_news"
    assert answers_of(store, "kz")[0]["identity_news"] == "3"


LIMESURVEY_WAVE = (
    '"id","submitdate","lastpage","startlanguage","livesabroad","yearsabroad","languages[kk]","languages[ru]",'
    '"languages[en]","city","city[other]","comments"\n'
    '"1","2024-04-02 09:00:00","2","en","yes","12","Y","Y","","almaty","","Рахмет"\n'
    '"2","2024-04-02 09:30:00","2","en","no","","","","Y","-oth-","Taraz",""\n'
)


def test_limesurvey_multiple_choice_and_other_into_the_forms_other_question(wave, tmp_path):
    summary = import_responses(wave, "wave", write(tmp_path, "ls.csv", LIMESURVEY_WAVE), "limesurvey")
    assert counts(summary) == (2, 2, 0, 0) and summary.unmatched_columns == []
    assert answers_of(wave) == [WAVE_ONE, WAVE_TWO]


# ODK Central's own test exports (real files): the forms are central-backend's test forms 'simple'
# (name, age) and 'selectMultiple' (q1 with choices a b, q2 with x y z inside the group g1).
ODK_EXPORTS = SHARED_DATA / "odk-exports"
needs_odk = pytest.mark.skipif(not ODK_EXPORTS.is_dir(), reason=f"shared ODK exports not found at {ODK_EXPORTS}")


def odk_forms():
    from diaspora_observatory.survey.model import Choice, Form, Question

    simple = Form("simple", "Simple", [Question("text", "name"), Question("integer", "age")])
    select = Form("selectMultiple", "Select multiple", [
        Question("select_multiple", "q1", "q1"), Question("begin_group", "g1"),
        Question("select_multiple", "q2", "q2"), Question("end_group", "")],
        {"q1": [Choice("a"), Choice("b")], "q2": [Choice("x"), Choice("y"), Choice("z")]})
    return {"central_backend_test_simple.csv": simple, "central_backend_test_selectMultiple_split.csv": select}


@needs_odk
def test_real_odk_central_exports(store):
    for slug, (name, form) in zip(("simple", "select"), odk_forms().items(), strict=True):
        store.add_survey(slug, form)
        summary = import_responses(store, slug, ODK_EXPORTS / name, "odk")
        assert counts(summary) == (2, 2, 0, 0) and summary.unmatched_columns == []
        assert "SubmitterName" in summary.metadata_columns and "meta-instanceID" in summary.metadata_columns
    assert [(row["submission_id"], row["answers"]) for row in store.responses("simple")] == [
        ("kobo-two", {"name": "Bob", "age": 34}), ("kobo-one", {"name": "Alice", "age": 30})]
    assert [(row["submission_id"], row["answers"]) for row in store.responses("select")] == [
        ("kobo-one", {"q1": ["a", "b"], "q2": ["x", "y", "z"]}), ("kobo-two", {"q1": ["b"], "q2": ["x"]})]
    # Submitter, dates and versions are not stored.
    assert "2018" not in str(store.responses("select")) + str(store.responses("simple"))


def test_cli_import_prints_the_summary_and_refuses_with_the_row(tmp_path):
    from click.testing import CliRunner
    from openpyxl import Workbook

    from diaspora_observatory.cli import main

    def run(*args):
        return CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")], env={"DIASPORA_DATABASE_URL": ""})

    book = Workbook()
    book.active.title = "survey"
    for row in WAVE_SURVEY:
        book["survey"].append(row)
    book.create_sheet("choices")
    for row in WAVE_CHOICES:
        book["choices"].append(row)
    book.save(tmp_path / "wave.xlsx")
    added = run("survey", "add", str(tmp_path / "wave.xlsx"), "--slug", "wave")
    assert added.exit_code == 0, added.output
    assert added.output.count("Notice: sheet 'survey', row ") == 5  # start, end, today, deviceid, username
    labels = write(tmp_path, "labels.csv", KOBO_LABELS)
    imported = run("survey", "import-responses", "wave", str(labels), "--format", "kobo")
    assert imported.exit_code == 0, imported.output
    assert imported.output.splitlines() == [
        "labels.csv: 2 rows read: 2 new, 0 already stored, 1 skipped",
        "Columns matched to questions: 9",
        "Not stored (platform metadata; the observatory keeps no precise times, devices or user names): start, end, "
        "today, deviceid, username, _id, _uuid, _submission_time, _validation_status, _notes, _status, _submitted_by, "
        "__version__, _tags, _index",
        "Skipped row 2: HXL hashtags (#…) under the header, not an answer",
        "Headers are the questions' labels (KoboToolbox 'Labels' export): answers are read as choice labels"]
    corrected = write(tmp_path, "corrected.csv", KOBO_LABELS.replace("Рахмет", "Спасибо"))
    refused = run("survey", "import-responses", "wave", str(corrected), "--format", "kobo")
    assert refused.exit_code == 2
    assert refused.output == ("Error: corrected.csv row 3: submission 5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111 was imported "
                              "before with other answers; nothing was stored\n"
                              "Hint: if this file corrects the earlier one, import it again with --replace\n")
    replaced = run("survey", "import-responses", "wave", str(corrected), "--format", "kobo", "--replace")
    assert replaced.output.splitlines()[0] == "corrected.csv: 2 rows read: 0 new, 1 already stored, 1 replaced, 1 skipped"


def test_the_wrong_format_is_named(store, tmp_path):
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", write(tmp_path, "kobo.csv", KOBO), "limesurvey")
    assert raised.value.message == ("kobo.csv: no 'id' column, which a LimeSurvey export starts with; it looks like a "
                                    "KoboToolbox or ODK export (it has _uuid)")
    assert raised.value.hint == "pass --format kobo (or odk) for KoboToolbox and ODK Central exports"
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", write(tmp_path, "ls.csv", LIMESURVEY), "kobo")
    assert raised.value.message == ("ls.csv: no submission id column (_uuid, meta/instanceID, meta-instanceID, "
                                    "instanceID, KEY); it looks like a LimeSurvey export (id, submitdate)")
    assert raised.value.hint == "pass --format limesurvey for LimeSurvey exports"


# The study's questionnaire exported from KoboToolbox as it does by default: value and header format
# "Labels" (here the form's Russian labels), groups not in headers, ';' separated and quoted, with the
# HXL row. Before, this stored "3 rows read: 3 new" with every answer empty.
KOBO_DEFAULT_LABELS_RU = (
    '"start";"end";"Мне важно сохранять казахский язык общения в семье";'
    '"Мне важно участвовать в казахских национальных праздниках или отмечать их в семье";'
    '"Мне важно следить за новостями и событиями в Казахстане";'
    '"Мне важно носить национальную одежду или использовать национальные символы";"Язык общения дома";'
    '"Связь с родными и друзьями в Казахстане";'
    '"Оценка работы государственных органов (включая дипмиссии) по поддержке казахов в Кыргызстане";"Возраст";'
    '"Пол";"Страна проживания";"Гражданство";"Что ещё вы хотели бы сказать (необязательно)";"_id";"_uuid";'
    '"_submission_time";"_validation_status";"_notes";"_status";"_submitted_by";"__version__";"_tags";"_index"\n'
    '"";"";"#indicator+family";"";"";"";"#language";"";"";"#age";"#gender";"#country";"";"";"";"";"";"";"";"";'
    '"";"";"";""\n'
    '"2024-05-01T09:00:00.000+06:00";"2024-05-01T09:04:00.000+06:00";"Очень важно";"Важно";"Отчасти важно";'
    '"Скорее не важно";"В основном казахский";"Ежедневно";"Удовлетворительно";"30–44";"Женский";"Кыргызстан";'
    '"Обеих стран";"Рахмет";"201";"c0ffee00-0001-4000-8000-000000000001";"2024-05-01T03:04:10";"";"";'
    '"submitted_via_web";"";"vX";"";"1"\n'
    '"2024-05-02T09:00:00.000+06:00";"2024-05-02T09:04:00.000+06:00";"Важно";"Важно";"Важно";"Совсем не важно";'
    '"Только русский";"Реже";"";"60 и старше";"";"Узбекистан";"";"";"202";"c0ffee00-0002-4000-8000-000000000002";'
    '"2024-05-02T03:04:10";"";"";"submitted_via_web";"";"vX";"";"2"\n'
    '"2024-05-03T09:00:00.000+06:00";"2024-05-03T09:04:00.000+06:00";"Совсем не важно";"Очень важно";"Важно";'
    '"Важно";"Только казахский";"Не поддерживаю связь";"Очень плохо";"18–29";"Мужской";"Таджикистан";'
    '"Страны проживания";"";"203";"c0ffee00-0003-4000-8000-000000000003";"2024-05-03T03:04:10";"";"";'
    '"submitted_via_web";"";"vX";"";"3"\n'
)


def test_kobo_default_labels_export_of_the_study_questionnaire(store, tmp_path):
    summary = import_responses(store, "kz", write(tmp_path, "kobo_labels.csv", KOBO_DEFAULT_LABELS_RU), "kobo")
    assert counts(summary) == (3, 3, 0, 0) and summary.unmatched_columns == []
    first, second, third = answers_of(store, "kz")
    assert first == {"identity_family_language": "5", "identity_holidays": "4", "identity_news": "3",
                     "identity_dress": "2", "home_language": "mainly_kazakh", "contact_frequency": "daily",
                     "state_support_rating": "3", "age_band": "age_30_44", "gender": "female",
                     "country_of_residence": "KGZ", "citizenship": "both", "comments": "Рахмет"}
    assert second == {"identity_family_language": "4", "identity_holidays": "4", "identity_news": "4",
                      "identity_dress": "1", "home_language": "russian_only", "contact_frequency": "less_often",
                      "age_band": "age_60_plus", "country_of_residence": "UZB"}
    assert third["contact_frequency"] == "no_contact" and third["citizenship"] == "residence_country"


def test_two_columns_for_one_answer_are_refused(wave, tmp_path):
    text = KOBO_NAMES.replace("comments,", "comments,Comments,", 1).replace("Рахмет,", "Рахмет,Спасибо,", 1) \
        .replace("other,Taraz,,", "other,Taraz,,,", 1)
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "two.csv", text), "kobo")
    assert raised.value.message == ("two.csv row 1: the columns 'comments' and 'Comments' both hold comments; which "
                                    "one is the answer is unclear")


def test_an_export_whose_matched_answers_are_all_empty_is_refused(wave, tmp_path):
    text = ("about/lives_abroad,languages,city,comments,_uuid\n"
            ",,,,5a0c2a7f-0001-4c39-9b0e-0b2f6c2e1111\n,,,,5a0c2a7f-0002-4c39-9b0e-0b2f6c2e1111\n")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(wave, "wave", write(tmp_path, "empty.csv", text), "kobo")
    assert raised.value.message == ("empty.csv: no row has an answer to store (no answer in any column matched to a "
                                    "question); nothing was stored")
    assert wave.count("wave") == 0


def test_not_applicable_cells_are_no_answer_and_counted(wave, tmp_path):
    text = KOBO_NAMES.replace("yes,12,", "yes,n/a,", 1)
    summary = import_responses(wave, "wave", write(tmp_path, "na.csv", text), "kobo")
    assert "years_abroad" not in answers_of(wave)[0]
    assert "1 cells holding 'n/a' in number or choice columns were read as no answer" in summary.notices


def test_cli_refuses_a_cell_over_128_kb_with_the_file_and_line(tmp_path):
    # issue 12: the csv module's bare csv.Error for a cell over its field limit reached the user as a traceback
    from click.testing import CliRunner

    from diaspora_observatory.cli import main

    def run(*args):
        return CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")], env={"DIASPORA_DATABASE_URL": ""})

    form = tmp_path / "wave.xlsx"
    assert CliRunner().invoke(main, ["survey", "default", "--out", str(form)]).exit_code == 0
    assert run("survey", "add", str(form), "--slug", "wave").exit_code == 0
    assert KOBO.count(";Рахмет;") == 1 and KOBO.splitlines()[1].count(";Рахмет;") == 1  # the comment on line 2
    hostile = write(tmp_path, "kobo.csv", KOBO.replace(";Рахмет;", ";" + "x" * 200_000 + ";"))
    refused = run("survey", "import-responses", "wave", str(hostile), "--format", "kobo")
    assert refused.exit_code == 2, refused.output
    assert refused.output == ("Error: kobo.csv line 2: a cell is longer than 131,072 characters, the most a CSV cell "
                              "may hold here\nHint: export the file again from the platform without editing it by "
                              "hand\n")
    assert run("survey", "list").output.startswith("wave\topen\t0\t")  # nothing stored
