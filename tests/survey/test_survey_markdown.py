"""Labels written in Markdown (as ODK and Enketo render them) shown formatted and safe; the range
question on the web form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diaspora_observatory.survey.markdown import label_html, label_text
from diaspora_observatory.survey.model import Choice, Form, Question


@pytest.mark.parametrize(("text", "html"), [
    ("*em* and **strong**", "<em>em</em> and <strong>strong</strong>"),
    ("_em_ and __strong__", "<em>em</em> and <strong>strong</strong>"),
    ("snake_case_name stays", "snake_case_name stays"),
    ("# Your family\nsecond line", '<strong class="md-heading md-h1">Your family</strong><br>second line'),
    ("### Small ###", '<strong class="md-heading md-h3">Small</strong>'),
    ("see [the study](https://example.org/a_b_c)",
     'see <a href="https://example.org/a_b_c" rel="noopener noreferrer" target="_blank">the study</a>'),
    ("**[bold link](http://example.org)**",
     '<strong><a href="http://example.org" rel="noopener noreferrer" target="_blank">bold link</a></strong>'),
    # Only http(s) links; anything else stays text.
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("[x](data:text/html,hi)", "[x](data:text/html,hi)"),
    # Raw HTML is escaped, never passed through (Enketo's <span style> included).
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<span style="color:red">red</span>', "&lt;span style=&#34;color:red&#34;&gt;red&lt;/span&gt;"),
    ('[x](https://a.org/"onmouseover="alert(1))', "[x](https://a.org/&#34;onmouseover=&#34;alert(1))"),
    ('[x](https://a.org/"onmouseover="x)',
     '<a href="https://a.org/&#34;onmouseover=&#34;x" rel="noopener noreferrer" target="_blank">x</a>'),
    ("a ** b **", "a ** b **"),
])
def test_markdown_subset(text, html):
    assert str(label_html(text)).replace("&quot;", "&#34;") == html


def test_plain_text_for_links_and_titles():
    assert label_text("**Age** of [you](https://example.org)") == "Age of you"


@given(st.text(max_size=80))
def test_no_text_makes_a_tag_other_than_the_subset(text):
    import re

    shown = str(label_html(text))
    tags = set(re.findall(r"<\s*/?\s*([A-Za-z]+)", shown))
    assert tags <= {"em", "strong", "a", "br"}
    assert "<a " not in shown or all(href.startswith(("http://", "https://", "HTTP", "Http"))
                                     for href in re.findall(r'href="([^"]*)"', shown))


def markdown_form() -> Form:
    return Form("md", "Markdown", [
        Question("note", "intro", labels={"": "# Welcome\nPlease read the **notice** at [our site](https://example.org)"}),
        Question("select_one", "agree", "yes_no", labels={"": "Do you *agree*?"}, hints={"": "_choose one_"}),
        Question("range", "score", labels={"": "Your score <b>now</b>"}, parameters={"start": "0", "end": "10",
                                                                                   "step": "2"}),
    ], {"yes_no": [Choice("yes", {"": "**Yes**"}), Choice("no", {"": "No"})]})


def test_the_form_page_renders_markdown_safely_and_the_range(client, survey_app):
    survey_app.state.web.survey_store.add_survey("md", markdown_form())
    page = client.get("/s/md").text
    assert ('<p class="survey-note" id="q-intro"><strong class="md-heading md-h1">Welcome</strong><br>Please read the '
            '<strong>notice</strong> at <a href="https://example.org" rel="noopener noreferrer" target="_blank">our '
            'site</a></p>') in page
    assert "<legend>Do you <em>agree</em>?</legend>" in page and "<em>choose one</em>" in page
    assert 'value="yes"> <strong>Yes</strong></label>' in page
    assert ('<label for="f-score">Your score &lt;b&gt;now&lt;/b&gt; <span class="range">(a number from 0 to 10 in '
            'steps of 2)</span></label>') in page
    russian = client.get("/s/md?lang=ru").text
    assert "(число от 0 до 10 с шагом 2)" in russian


def test_a_range_answer_off_the_grid_is_refused_on_the_web(client, survey_app):
    survey_app.state.web.survey_store.add_survey("md", markdown_form())
    reply = client.post("/s/md", data={"agree": "yes", "score": "3"}, follow_redirects=False)
    assert reply.status_code == 422 and "enter a number from 0 to 10 in steps of 2" in reply.text
    # The summary links to the question with its plain label.
    assert '<a href="#f-score">Your score &lt;b&gt;now&lt;/b&gt;</a>: enter a number from 0 to 10' in reply.text
    assert client.post("/s/md", data={"agree": "yes", "score": "4"}, follow_redirects=False).status_code == 303
    assert survey_app.state.web.survey_store.responses("md")[0]["answers"] == {"agree": "yes", "score": 4}


def test_the_results_page_shows_markdown_labels_formatted(client, survey_app):
    store = survey_app.state.web.survey_store
    store.add_survey("md", markdown_form())
    for number in range(12):
        store.submit("md", f"m{number}", {"agree": "yes" if number < 6 else "no", "score": 4})
    page = client.get("/s/md/results").text
    assert '<h3 id="item-agree">Do you <em>agree</em>?</h3>' in page
    assert "<td><strong>Yes</strong>" in page and "**" not in page  # the inline charts draw plain text
