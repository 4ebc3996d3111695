"""Fixtures for the survey tests: the real web app on a temporary data folder, stores on SQLite and
(when DIASPORA_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import pytest
from survey_helpers import ADMIN_TOKEN, POSTGRES_URL, fresh_survey_state, make_client, reset_postgres


def survey_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings the survey app is built and run with: a known admin token, SQLite, a rate limit that
    tests posting many answers from one address stay under."""
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "1000")


@pytest.fixture(scope="module")
def survey_module_app(tmp_path_factory):
    """The observatory app (with the survey extension), built once per test module: building it computes
    the case's analysis for every page (seconds), the same for every test. Tests use :func:`survey_app`,
    which gives each one the survey state of a new app."""
    from diaspora_observatory.web.app import create_app

    with pytest.MonkeyPatch.context() as monkeypatch:
        survey_environment(monkeypatch)
        app = create_app(data_dir=tmp_path_factory.mktemp("data"))
    yield app
    app.state.web.survey_store.close()


@pytest.fixture
def survey_app(survey_module_app, tmp_path, monkeypatch):
    """The module's app with the survey state of a newly built one: its own new SQLite database in
    ``tmp_path`` holding only the default survey, and empty rate limits, token-attempt counts and caches."""
    survey_environment(monkeypatch)
    fresh_survey_state(survey_module_app, f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    return survey_module_app


@pytest.fixture
def client(survey_app):
    return make_client(survey_app)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A fresh database URL: a SQLite file in tmp_path, or the test PostgreSQL server emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def store(database_url):
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.storage import SurveyStore

    opened = SurveyStore(database_url)
    opened.add_survey(DEFAULT_SLUG, default_form())
    yield opened
    opened.close()
