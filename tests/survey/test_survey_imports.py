"""Answers exported from KoboToolbox/ODK and LimeSurvey, in those tools' own CSV layouts."""

from __future__ import annotations

import pytest

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


def test_kobo_export(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text(KOBO, encoding="utf-8")
    assert import_responses(store, "kz", path, "kobo") == {"rows": 2, "new": 2, "already_stored": 0}
    stored = store.responses("kz")
    assert [row["submission_id"] for row in stored] == ["kobo-0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0001",
                                                        "kobo-0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0002"]
    assert stored[0]["answers"] == {
        "identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
        "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
        "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both",
        "comments": "Рахмет"}
    assert stored[0]["origin"] == "import:kobo"
    # Metadata (times, device) is never stored.
    assert "enketo" not in str(stored) and "10:05" not in str(stored)
    # Importing again stores nothing new.
    assert import_responses(store, "kz", path, "kobo") == {"rows": 2, "new": 0, "already_stored": 2}


def test_odk_central_export_with_labels(store, tmp_path):
    path = tmp_path / "odk.csv"
    path.write_text(ODK, encoding="utf-8")
    assert import_responses(store, "kz", path, "kobo")["new"] == 1
    answers = store.responses("kz")[0]["answers"]
    assert answers["home_language"] == "mainly_russian" and answers["contact_frequency"] == "less_often"
    assert answers["country_of_residence"] == "TJK"


def test_limesurvey_export(store, tmp_path):
    path = tmp_path / "limesurvey.csv"
    path.write_text(LIMESURVEY, encoding="utf-8")
    assert import_responses(store, "kz", path, "limesurvey")["new"] == 1
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
    assert raised.value.message == "kobo.csv row 2, column home_language: 'klingon' is not a choice of home_language"
    assert store.count("kz") == 0  # all or nothing


def test_missing_required_answer_names_row(store, tmp_path):
    path = tmp_path / "limesurvey.csv"
    path.write_text(LIMESURVEY.replace('"mainlykazakh"', '""'), encoding="utf-8")
    with pytest.raises(ResponsesImportError, match="limesurvey.csv row 2, question home_language: this question needs an answer"):
        import_responses(store, "kz", path, "limesurvey")
