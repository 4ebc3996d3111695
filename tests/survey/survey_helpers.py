"""Helpers for the survey tests: an in-process client and a complete valid answer set."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

from diaspora_observatory.survey.model import Choice, Form, Question

with warnings.catch_warnings():
    # Starlette prefers the httpx2 package for its TestClient and warns when it finds httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# The project's shared real-data folder sits beside the repository (see its README).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL_FORMS = SHARED_DATA / "xlsform"


def edited_real_form(tmp_path: Path, name: str, cell: str, value: str) -> Path:
    """A copy of the real form ``name`` in ``tmp_path`` with one cell of its survey sheet changed."""
    from openpyxl import load_workbook

    copy = tmp_path / name
    shutil.copy(REAL_FORMS / name, copy)
    workbook = load_workbook(copy)
    workbook["survey"][cell] = value
    workbook.save(copy)
    return copy


POSTGRES_URL = os.environ.get("DIASPORA_TEST_POSTGRES_URL")
ADMIN_TOKEN = "test-admin-token-4f1c"

VALID_ANSWERS = {
    "identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
    "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
    "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both",
}


def abroad_form() -> Form:
    """A group broken inside (years_abroad depends on lives_abroad), a note, and a question that depends
    on a select_multiple of the same page."""
    yes_no = [Choice("yes", {"": "Yes"}), Choice("no", {"": "No"})]
    languages = [Choice("kk", {"": "Kazakh"}), Choice("ru", {"": "Russian"}), Choice("other", {"": "Another"})]
    return Form("abroad", "Living abroad", [
        Question("begin_group", "about", labels={"": "About you"}),
        Question("select_one", "lives_abroad", "yes_no", labels={"": "Do you live outside Kazakhstan?"},
                 required=True),
        Question("integer", "years_abroad", labels={"": "For how many years?"}, required=True,
                 relevant="${lives_abroad} = 'yes'", constraint=". >= 0 and . <= 100",
                 constraint_messages={"": "between 0 and 100 years"}),
        Question("end_group", "about"),
        Question("note", "languages_note", labels={"": "Now about languages."}),
        Question("select_multiple", "languages", "languages", labels={"": "Languages you speak at home"}),
        Question("text", "other_language", labels={"": "Which other language?"}, required=True,
                 relevant="selected(${languages}, 'other')"),
    ], {"yes_no": yes_no, "languages": languages})


def survey_views(app):
    """The survey extension's views object in ``app`` (what its routes are bound to)."""
    return next(route.endpoint.__self__ for route in app.routes if getattr(route, "name", "") == "survey_index")


def fresh_survey_state(app, database_url: str, *, holds_default: bool = False) -> None:
    """Give ``app``'s survey the state :func:`~diaspora_observatory.survey.web.routes` gives a new app:
    a new store on ``database_url`` holding the default survey, and new rate limits, token-attempt counts
    and survey and answer-checker caches. (The results cache belongs to the store object, so it is new with the store.) Every
    piece of in-memory state the survey views keep is replaced here; test_survey_web checks the outcome.
    ``holds_default``: the database already holds the default survey and nothing else (a copy of the
    session's prebuilt file, conftest.py), so it is only opened."""
    from diaspora_observatory.safety import AttemptLimiter
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.ratelimit import RateLimiter
    from diaspora_observatory.survey.storage import SurveyStore

    web = app.state.web
    views = survey_views(app)
    store = SurveyStore(database_url, group_commit=True)
    if not holds_default:
        store.add_survey(DEFAULT_SLUG, default_form())
    previous, views.store, web.survey_store = views.store, store, store
    previous.close()
    web.on_shutdown[web.on_shutdown.index(previous.close)] = store.close
    views.limiter = RateLimiter(views.limiter.limit)
    views.survey_limiter = RateLimiter(views.survey_limiter.limit)
    views._surveys.clear()
    views._checkers.clear()
    web.token_attempts = AttemptLimiter()


def make_client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS submissions, surveys, survey_schema CASCADE"))
    engine.dispose()
