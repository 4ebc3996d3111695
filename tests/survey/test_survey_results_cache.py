"""The results page's cache: computed once per snapshot from streamed answers, identical to computing it
from the whole snapshot in memory, and recomputed exactly when a new snapshot is taken."""

from __future__ import annotations

from survey_helpers import VALID_ANSWERS

from diaspora_observatory.survey.results import categorical_frame, responses_frame
from diaspora_observatory.survey.results_view import counted_context, results_cache, results_context


def varied(number: int) -> dict:
    return {**VALID_ANSWERS, "identity_news": str(1 + number % 5), "gender": ("male", "female")[number % 2]}


def test_streamed_results_equal_the_in_memory_ones(store):
    for number in range(37):
        store.submit("kz", f"same-{number:04d}", varied(number))
        if number == 29:
            store.snapshot_state("kz")  # snapshot 1: 30 answers; the 7 after it wait for the next
    snapshot = store.snapshot("kz")
    state = store.snapshot_state("kz")
    assert (state.number, state.size, state.pending) == (1, len(snapshot.responses), 7) == (1, 30, 7)
    frame = categorical_frame(snapshot.record.form, store.snapshot_answers("kz", state.number, batch=4))
    full = responses_frame(snapshot.record.form, snapshot.responses)
    assert frame.equals(full[frame.columns])
    for by in (None, "gender"):
        before = results_context(None, snapshot, "en", by, "identity_news")
        after = results_context(None, state, "en", by, "identity_news", frame=frame)
        assert after["data"] == before["data"] and after["csv"] == before["csv"]
        assert after["charts"] == before["charts"]


def test_the_cache_is_recomputed_exactly_when_a_new_snapshot_is_taken(client, survey_app):
    store = survey_app.state.web.survey_store
    cache = results_cache(store)
    for number in range(10):
        store.submit("kz", f"cache-{number:04d}", varied(number))
    first = client.get("/s/kz/results.json").json()
    computed = cache.computed
    assert first["snapshot"]["number"] == 1 and first["responses"] == 10
    assert client.get("/s/kz/results.json").json() == first
    client.get("/s/kz/results")
    client.get("/s/kz/likert.svg")
    assert cache.computed == computed  # the page, its JSON and its chart: one computation
    for number in range(10, 19):
        store.submit("kz", f"cache-{number:04d}", varied(number))
    assert client.get("/s/kz/results.json").json() == first  # 9 new answers: no snapshot, no recompute
    assert cache.computed == computed
    store.submit("kz", "cache-0019", varied(19))
    second = client.get("/s/kz/results.json").json()
    assert (second["snapshot"]["number"], second["responses"]) == (2, 20)
    assert cache.computed == computed + 1
    assert all(key[1] == 2 for key in cache.entries)  # the first snapshot's entries are gone
    client.get("/s/kz/results.json?lang=ru")
    client.get("/s/kz/results.json?by=gender&row=no_such_question")
    client.get("/s/kz/results.json?by=gender")
    assert cache.computed == computed + 3  # a language and a cross-tabulation are keys of their own



def test_a_survey_deleted_and_created_again_under_its_slug_never_shows_the_old_results(client, survey_app):
    """Deleted (as ``diaspora survey delete`` does, from another process) and created again with the same slug,
    form, title and threshold, the new survey's first snapshot has the old one's number, definition and
    settings: the page must count the new survey's answers (20 of them, taken at once as snapshot 1), never
    show the deleted survey's (10)."""
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.storage import SurveyStore

    store = survey_app.state.web.survey_store
    for number in range(10):
        store.submit(DEFAULT_SLUG, f"first-{number:04d}", varied(number))
    first = client.get("/s/kz/results.json").json()
    assert (first["snapshot"]["number"], first["responses"]) == (1, 10)
    elsewhere = SurveyStore(store.url)  # the command line's own store on the same database
    try:
        assert elsewhere.delete_survey(DEFAULT_SLUG) == 10
        elsewhere.add_survey(DEFAULT_SLUG, default_form())
        for number in range(20):
            elsewhere.submit(DEFAULT_SLUG, f"again-{number:04d}", varied(number + 1))
    finally:
        elsewhere.close()
    again = client.get("/s/kz/results.json").json()
    assert (again["snapshot"]["number"], again["snapshot"]["responses"], again["responses"]) == (1, 20, 20)
    assert len({key[2] for key in results_cache(store).entries}) == 1  # the deleted survey's entries are gone
    # value for value the figures counted here from the new survey's snapshot
    assert again == counted_context(survey_app.state.web.case, store, DEFAULT_SLUG, "en")["data"]
