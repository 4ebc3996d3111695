"""Fixtures for the survey tests: the real web app on a temporary data folder, stores on SQLite and
(when DIASPORA_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import pytest
from survey_helpers import ADMIN_TOKEN, POSTGRES_URL, make_client, reset_postgres


@pytest.fixture
def survey_app(tmp_path, monkeypatch):
    """The observatory app (with the survey extension) on an empty data folder, SQLite storage."""
    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "1000")
    app = create_app(data_dir=tmp_path / "data")
    yield app
    app.state.web.survey_store.close()


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
