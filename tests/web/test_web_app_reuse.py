"""An app built from another's computed analysis and pages (``create_app(computed_by=...)``, which the test
fixtures use on the built-in case) serves what an app computing its own serves, and is refused for another
case or other extensions."""

from __future__ import annotations

import pytest
from web_helpers import make_client

from diaspora_observatory.web.app import create_app

PATHS = ["/", "/flows", "/claims?lang=ru", "/definitions?lang=kk", "/sources", "/country/KGZ", "/flows.csv",
         "/claims.json?lang=kk", "/survey", "/nowhere"]


@pytest.mark.slow  # builds an app of its own, computing every page
def test_an_app_built_from_another_serves_what_one_computing_its_own_serves(web_app, tmp_path):
    fresh = create_app(data_dir=tmp_path)
    try:
        for path in PATHS:
            built_from, computed = make_client(web_app).get(path), make_client(fresh).get(path)
            assert (built_from.status_code, built_from.content) == (computed.status_code, computed.content), path
    finally:
        fresh.state.web.survey_store.close()


def test_an_app_on_another_case_is_refused(computed_app, case_copy, tmp_path):
    flows = case_copy / "data" / "flows.csv"
    text = flows.read_text(encoding="utf-8")
    first_row = text.splitlines()[1]
    flows.write_text(text.replace(first_row, first_row.replace(",", ",1", 1), 1), encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        create_app(case_copy, data_dir=tmp_path, extensions=False, computed_by=computed_app)
    assert str(refused.value) == (
        f"an app on case 'kazakh-central-asia' ({case_copy}) cannot reuse the pages computed for case "
        f"'kazakh-central-asia' ({computed_app.state.web.case.path}), whose data differ (or are read from another "
        "folder); build it without computed_by")


def test_an_app_with_other_extensions_is_refused(computed_app, tmp_path):
    with pytest.raises(ValueError) as refused:
        create_app(data_dir=tmp_path, extensions=False, computed_by=computed_app)
    assert str(refused.value) == (
        f"this app serves the extensions [], the app it would reuse the pages of serves "
        f"{sorted(computed_app.state.web.extension_nav)}; build it without computed_by")
