"""Helpers for the survey tests: an in-process client and a complete valid answer set."""

from __future__ import annotations

import os
import warnings

with warnings.catch_warnings():
    # Starlette prefers the httpx2 package for its TestClient and warns when it finds httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

POSTGRES_URL = os.environ.get("DIASPORA_TEST_POSTGRES_URL")
ADMIN_TOKEN = "test-admin-token-4f1c"

VALID_ANSWERS = {
    "identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
    "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
    "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both",
}


def make_client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS submissions, surveys, survey_schema CASCADE"))
    engine.dispose()
