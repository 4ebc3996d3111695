"""``diaspora survey default --case NAME``: the study's questionnaire for any diaspora (issue 16, item 5),
naming the case's origin and hosts in English, Russian and Kazakh and never the built-in study's."""

from __future__ import annotations

from click.testing import CliRunner

from diaspora_observatory.cli import main
from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.xlsform import read_xlsform

STUDY_WORDS = ("Kazakh", "Kazakhstan", "казах", "Казахстан", "қазақ", "Қазақстан", "Kyrgyzstan", "Кыргызстан")


def texts_of(form) -> list[str]:
    found = [form.title]
    for question in form.questions:
        found += [*question.labels.values(), *question.hints.values()]
    for options in form.choices.values():
        found += [label for choice in options for label in choice.labels.values()]
    return found


def test_the_questionnaire_for_another_case_names_its_origin_and_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    created = runner.invoke(main, ["case", "new", "uzbek", "--origin", "UZB", "--hosts", "RUS,KAZ"])
    assert created.exit_code == 0, created.output
    out = tmp_path / "uzbek.xlsx"
    written = runner.invoke(main, ["survey", "default", "--case", "uzbek", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert written.output == (f"Wrote {out}: 'People from Uzbekistan abroad: identity, language and ties with the "
                              "country of origin', 12 questions in English, Russian and Kazakh\n")
    form = read_xlsform(out)  # the workbook reads back as a valid form
    assert form.form_id == "diaspora_identity_uzbek"
    assert [(choice.name, choice.labels["Russian (ru)"]) for choice in form.choices["residence"]] == [
        ("RUS", "Россия"), ("KAZ", "Казахстан"), ("other", "Другая страна")]
    assert form.question("contact_frequency").labels == {
        "English (en)": "Contact with family and friends in Uzbekistan",
        "Russian (ru)": "Связь с родными и друзьями в стране происхождения (Узбекистан)",
        "Kazakh (kk)": "Шыққан елдегі (Өзбекстан) туыстармен және достармен байланыс"}
    assert form.question("about_this_survey").labels["English (en)"] == (
        "This questionnaire is for people from Uzbekistan and their descendants who live in Russia, Kazakhstan "
        "or another country.")
    assert [choice.name for choice in form.choices["home_language"]] == [
        "heritage_only", "mainly_heritage", "mainly_other", "other_only"]
    assert ("origin", "Шыққан елімнің (Өзбекстан)") in [
        (choice.name, choice.labels["Kazakh (kk)"]) for choice in form.choices["citizenship"]]
    # Kazakhstan is a host of this case, so it may be named only as a country of residence.
    leftovers = [text for text in texts_of(form) if any(word in text for word in STUDY_WORDS)]
    assert leftovers == [
        "This questionnaire is for people from Uzbekistan and their descendants who live in Russia, Kazakhstan or "
        "another country.",
        "Эта анкета — для выходцев из страны происхождения (Узбекистан) и их потомков, живущих в другой стране "
        "(Россия, Казахстан и др.).",
        "Бұл сауалнама шыққан елінен (Өзбекстан) келген және басқа елде (Ресей, Қазақстан т.б.) тұратын адамдар мен "
        "олардың ұрпақтарына арналған.",
        "Kazakhstan", "Казахстан", "Қазақстан"]
    # Every question of the study is asked, so the two diasporas' results line up question by question.
    study = default_form()
    assert [q.name for q in form.answer_questions()] == [q.name for q in study.answer_questions()]


def test_the_built_in_case_keeps_the_studys_questionnaire(tmp_path):
    from diaspora_observatory import load_case

    assert default_form(load_case()) == default_form()
    assert default_form().title == "Kazakhs abroad: identity, language and ties with Kazakhstan"


def test_an_unknown_case_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["survey", "default", "--case", "nosuch", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "no case named or found at 'nosuch'" in result.output
    assert not (tmp_path / "x.xlsx").exists()
