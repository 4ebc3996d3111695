"""The whole app on SQLite or on the test PostgreSQL server, for the hostile-input and fuzz tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from survey_helpers import ADMIN_TOKEN, POSTGRES_URL, reset_postgres

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def app_on(database: str, folder: Path, computed_by=None) -> Iterator:
    """The observatory app (survey and documents) in ``folder``, its survey store on ``database``
    (``sqlite``: a file in the data folder; ``postgres``: the emptied test server). No rate limit.
    ``computed_by``: an app on the built-in case whose analysis and pages it starts from."""
    from diaspora_observatory.web.app import create_app

    if database == "postgres":
        if not POSTGRES_URL:
            pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
        reset_postgres(POSTGRES_URL)
    names = ("DIASPORA_ADMIN_TOKEN", "DIASPORA_DATABASE_URL", "DIASPORA_SURVEY_RATE_LIMIT")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN, "DIASPORA_SURVEY_RATE_LIMIT": "0"})
    if database == "postgres":
        os.environ["DIASPORA_DATABASE_URL"] = POSTGRES_URL
    else:
        os.environ.pop("DIASPORA_DATABASE_URL", None)
    try:
        app = create_app(data_dir=folder / "data", computed_by=computed_by)
        try:
            yield app
        finally:
            app.state.web.survey_store.close()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
