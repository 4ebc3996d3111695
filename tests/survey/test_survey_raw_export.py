"""The raw answers export (admin token) over HTTP writes each answer as it was stored: a whole number stays
whole when another respondent skipped the question (pandas would otherwise type the column as floats and
write 25.0), a skipped answer is an empty cell, and rows come in the arrival-blind order."""

from __future__ import annotations

import hashlib

from survey_helpers import ADMIN_TOKEN, abroad_form


def test_whole_numbers_stay_whole_beside_skipped_answers(client, survey_app):
    survey_app.state.web.survey_store.add_survey("abroad", abroad_form())
    sent = {"abroad-0001": {"lives_abroad": "yes", "years_abroad": "25", "languages": ["kk", "ru"]},
            "abroad-0002": {"lives_abroad": "no", "languages": ["other"], "other_language": "Uzbek"},
            "abroad-0003": {"lives_abroad": "yes", "years_abroad": "0"}}
    for submission_id, answers in sent.items():
        response = client.post("/s/abroad/submissions", json={"submission_id": submission_id, "answers": answers})
        assert response.status_code == 201, response.text
    export = client.post("/s/abroad/admin/export", data={"token": ADMIN_TOKEN})
    assert export.status_code == 200
    header, *rows = export.text.splitlines()
    assert header == "submission_id,received_on,origin,lives_abroad,years_abroad,languages,other_language"
    order = sorted(sent, key=lambda submission_id: hashlib.sha256(submission_id.encode()).hexdigest())
    assert [row.split(",")[0] for row in rows] == order
    cells = {row.split(",")[0]: row.split(",", 3)[3] for row in rows}
    assert cells == {"abroad-0001": "yes,25,kk ru,", "abroad-0002": "no,,other,Uzbek", "abroad-0003": "yes,0,,"}
