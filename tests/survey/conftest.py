"""Fixtures for the survey tests: the real web app on a temporary data folder, stores on SQLite and
(when DIASPORA_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from survey_helpers import ADMIN_TOKEN, POSTGRES_URL, fresh_survey_state, make_client, reset_postgres


def survey_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings the survey app is built and run with: a known admin token, SQLite, a rate limit that
    tests posting many answers from one address stay under."""
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "1000")


@pytest.fixture(scope="session")
def survey_session_app(tmp_path_factory, computed_app):
    """The observatory app (with the survey extension), built once per test session (once per process
    under pytest-xdist), from the analysis and pages of the session's :func:`computed_app`. Tests use :func:`survey_app`, which gives each one the survey state of a new app."""
    from diaspora_observatory.web.app import create_app

    with pytest.MonkeyPatch.context() as monkeypatch:
        survey_environment(monkeypatch)
        app = create_app(data_dir=tmp_path_factory.mktemp("data"), computed_by=computed_app)
    yield app
    app.state.web.survey_store.close()


@pytest.fixture(scope="session")
def default_survey_file(tmp_path_factory) -> Path:
    """A SQLite survey database holding only the default survey, made once per session: making one costs
    the schema's steps, the default form (read from the case's labels) and synced writes (about 70 ms of CPU,
    and half a second on a busy disk), copying it a few milliseconds. Closed, so the file is whole (WAL
    checkpointed)."""
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.storage import SurveyStore

    path = tmp_path_factory.mktemp("survey-template") / "survey.sqlite3"
    made = SurveyStore(f"sqlite:///{path}")
    try:
        made.add_survey(DEFAULT_SLUG, default_form())
    finally:
        made.close()
    return path


@pytest.fixture
def survey_app(survey_session_app, default_survey_file, tmp_path, monkeypatch):
    """The session's app with the survey state of a newly built one: its own SQLite database in
    ``tmp_path`` holding only the default survey (a copy of :func:`default_survey_file`), and empty rate
    limits, token-attempt counts and caches."""
    survey_environment(monkeypatch)
    database = tmp_path / "survey.sqlite3"
    shutil.copyfile(default_survey_file, database)
    fresh_survey_state(survey_session_app, f"sqlite:///{database}", holds_default=True)
    return survey_session_app


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
