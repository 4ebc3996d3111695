"""The extension interface: a real extension module, imported by create_app, served like a core page."""

from __future__ import annotations

import textwrap

import pytest
from web_helpers import make_client, read_page

from diaspora_observatory import extension_points
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.web.app import create_app

EXTENSION = '''
from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
NAV = [("/survey/results", "Collected results")]


def routes(web):
    web.add_template_dir(HERE / "templates")
    web.add_locale_dir(HERE / "locale")

    async def results(request):
        _ = web.gettext(request)
        return web.render(request, "results.html", {"heading": _("Collected results"), "ids": ["iom-2022"],
                                                   "data_dir": str(web.data_dir), "dev": web.dev},
                          alternates={"csv": "/survey/results.csv"})

    async def results_csv(request):
        return PlainTextResponse("item,value\\nidentity_news,3.9\\n", media_type="text/csv")

    return [Route("/survey/results", results, methods=["GET"]),
            Route("/survey/results.csv", results_csv, methods=["GET"])]
'''
TEMPLATE = '''{% extends "base.html" %}
{% block content %}
<h1>{{ heading }}</h1>
<p id="cited">{{ source_label(ids) }}</p>
<p id="folder">{{ data_dir }} {{ dev }}</p>
<p id="translated">{{ _("Collected results") }} / {{ _("Sources") }}</p>
{% endblock %}
'''
CATALOG = '''msgid "Collected results"
msgstr "{text}"
'''


def declare(monkeypatch, points):
    """Stand in for the installed entry points of the web group (the packaging metadata) with ``points``."""
    real = extension_points.declared
    monkeypatch.setattr(extension_points, "declared",
                        lambda group: points if group == extension_points.WEB else real(group))


def test_the_installed_package_declares_its_web_and_report_extensions():
    assert extension_points.declared(extension_points.WEB) == [
        ("documents", "diaspora_observatory.documents.web"), ("survey", "diaspora_observatory.survey.web")]
    assert extension_points.declared(extension_points.REPORT) == [
        ("documents", "diaspora_observatory.documents.report:coding_tables")]


def test_an_install_older_than_its_extension_points_is_refused(monkeypatch):
    monkeypatch.setattr(extension_points, "entry_points", lambda group: [])
    with pytest.raises(DiasporaError) as raised:
        extension_points.declared(extension_points.WEB)
    assert raised.value.message == ("the installed metadata of diaspora-observatory declares no extensions in "
                                 "'diaspora_observatory.web' (an install older than its pyproject.toml)")
    assert raised.value.hint == "reinstall it: pip install -e ."


@pytest.fixture
def extension_app(tmp_path, monkeypatch):
    package = tmp_path / "extension_pkg" / "web_test_results"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(EXTENSION), encoding="utf-8")
    (package / "templates" / "results.html").write_text(TEMPLATE, encoding="utf-8")
    for language, text in (("ru", "Собранные результаты"), ("kk", "Жиналған нәтижелер")):
        folder = package / "locale" / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(CATALOG.format(text=text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "extension_pkg"))
    # declared as the survey extension, so the core survey page links to it; the second is not installed
    declare(monkeypatch, [("survey", "web_test_results"), ("missing", "diaspora_observatory.not_there.web")])
    return create_app(data_dir=tmp_path / "user-data")


@pytest.mark.slow  # builds its own app
def test_extension_page_uses_layout_translations_and_sources(extension_app, tmp_path):
    client = make_client(extension_app)
    response = client.get("/survey/results", params={"lang": "ru"})
    assert response.status_code == 200
    page = read_page(response.text)
    assert page.h1 == ["Собранные результаты"]
    assert page.lang == "ru"
    assert page.alternates() == {"text/csv": "/survey/results.csv"}
    assert '<p id="cited">International Organization for Migration (2022)</p>' in response.text
    assert f'<p id="folder">{tmp_path / "user-data"} False</p>' in response.text
    assert '<p id="translated">Собранные результаты / Источники</p>' in response.text
    assert ("/survey/results", "Собранные результаты") in [(a["href"], a.get("text")) for a in page.anchors]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert client.get("/survey/results.csv").headers["x-content-type-options"] == "nosniff"
    assert client.post("/survey/results").status_code == 405


@pytest.mark.slow  # builds its own app
def test_core_survey_page_links_to_the_extension(extension_app):
    html = make_client(extension_app).get("/survey", params={"lang": "kk"}).text
    assert ('<ul class="block-links"><li><a href="/survey/results">Осы обсерватория арқылы жүргізілген сауалнамалар '
            'және олардың нәтижелері</a></li></ul>') in html
    assert "Data missing" not in html


@pytest.mark.slow  # builds its own app
def test_without_extensions_the_survey_page_says_how_to_get_them(tmp_path, monkeypatch):
    declare(monkeypatch, [("survey", "diaspora_observatory.not_there.web")])
    app = create_app(data_dir=tmp_path)
    assert app.state.web.nav[-1] == ("/sources", "Sources")
    html = make_client(app).get("/survey").text
    assert ("<p><strong>Data missing.</strong> The survey module is not installed in this copy of the observatory, "
            "so no collected answers can be shown. Install it, run a survey with “diaspora survey”, and its results "
            "will appear in the menu.</p>") in html


@pytest.mark.slow  # builds its own app
def test_web_context_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "from-env"))
    declare(monkeypatch, [])
    app = create_app()
    web = app.state.web
    assert web.data_dir == tmp_path / "from-env"
    assert web.dev is False
    assert web.case.name == "kazakh-central-asia"
