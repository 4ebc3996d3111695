"""The survey inside the observatory's web app: the anonymous form, its JSON API, sharing, results, admin.

Mounted by ``diaspora serve`` through the extension interface (``routes(web)`` and ``NAV``, see
docs/web.md). Respondents are protected: answers travel only in POST bodies, nothing about the client
(address, user agent, cookie, time of day) is stored, every response says ``Cache-Control: no-store``,
request bodies are never logged, cross-site posts are refused and bodies are capped.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from diaspora_observatory.access import check_admin_token, ensure_admin_token
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import TooManyAttempts, attempt_route, client_address
from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
from diaspora_observatory.survey.errors import (
    Problem,
    SubmissionConflict,
    SubmissionInvalid,
    SurveyClosed,
    SurveyNotFound,
)
from diaspora_observatory.survey.markdown import label_html, label_text
from diaspora_observatory.survey.model import language_code
from diaspora_observatory.survey.protection import DEFAULT_MAX_BODY, BodyTooLarge, cross_site, read_body
from diaspora_observatory.survey.ratelimit import RateLimiter
from diaspora_observatory.survey.steps import CLOSE, ROW, names_before, plan_steps, step_of_question
from diaspora_observatory.survey.storage import DATABASE_URL_ENV, SurveyStore, database_url
from diaspora_observatory.survey.validation import (
    AnswerChecker,
    check_answers,
    options_for,
    valid_submission_id,
)
from diaspora_observatory.untrusted import MAX_JSON_DEPTH, json_too_deep
from diaspora_observatory.web.i18n import COOKIE, DEFAULT_LANGUAGE, LANGUAGES, wanted_languages
from diaspora_observatory.web.pageprocesses import Busy, PageProcesses, TooSlow, WorkerLost
from diaspora_observatory.web.pageworker import plain_scope, server_settings
from diaspora_observatory.web.security import SECURITY_HEADERS

if TYPE_CHECKING:
    from diaspora_observatory.web.extensions import WebContext

NAV = [("/s", "Survey")]
logger = logging.getLogger("diaspora_observatory.survey")
HERE = Path(__file__).resolve().parent
NO_STORE = {"cache-control": "no-store"}
# Fields of the HTML form that are not answers. The step fields start with two underscores, which
# XLSForm allows in names but no real form uses; answers named so would be refused as unknown.
STEP_FIELD, NAV_FIELD = "__step", "__nav"
CONTROL_FIELDS = {"submission_id", "lang", STEP_FIELD, NAV_FIELD}
SURVEY_CACHE_SECONDS = 2.0
# Tried before every other route of the app (extension_points.py): one match per submission instead of ~40.
FIRST_ROUTES = ("survey_api",)
# Submissions a minute (docs/survey.md, "Limits"). Per address and survey: a meeting of 50 behind one
# connection (a venue's Wi-Fi, one NAT address) answers within a minute with room to spare, while one
# machine sending answers in a loop is stopped after 120. Per survey, from all addresses together: a flood
# spread over many addresses is held to 20 a second, far above any community survey's pace.
DEFAULT_RATE_PER_ADDRESS = 120
DEFAULT_RATE_PER_SURVEY = 1200
RESULTS_DEADLINE_SECONDS = 20.0  # longest a first view waits for its worker before the "being prepared" answer
RESULTS_MAX_WAITING = 8  # first views computing or queued; beyond, "busy" at once instead of a longer queue


ADMIN_ROWS_PER_PAGE = 100  # raw answers on one page of the admin page; the export has them all


async def _off_loop(chunks: Generator[str, None, None]) -> AsyncIterator[str]:
    """``chunks`` (a generator reading the database) advanced in a worker thread, closed when the sending
    ends, early or not, so that its connection goes back to the pool."""
    try:
        while (chunk := await run_in_threadpool(next, chunks, None)) is not None:
            yield chunk
    finally:
        chunks.close()


def _no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


class SurveyViews:
    """The survey routes over one store; built once per app by :func:`routes`."""

    def __init__(self, web: WebContext, store: SurveyStore, pages: PageProcesses, *, rate_limit: int, max_body: int,
                 survey_rate_limit: int = 0, public_url: str = "") -> None:
        self.web = web
        self.store = store
        self.pages = pages  # the results page's worker process, where first views are computed
        self.limiter = RateLimiter(rate_limit)  # per (survey, address)
        self.survey_limiter = RateLimiter(survey_rate_limit)  # per survey, all addresses together
        self.public_url = public_url.rstrip("/")
        self.max_body = max_body
        self._surveys: dict[str, tuple[float, Any]] = {}
        # Each survey's answer checker, with the record it was built for: building one (the form's allow-list,
        # choices and steps) cost about a fifth of a JSON-API submission's time on the event loop when it was
        # built anew for every submission (benchmarks/results/survey.md).
        self._checkers: dict[str, tuple[Any, AnswerChecker]] = {}

    # helpers
    def error(self, request: Request, status: int, title: str, message: str, detail: str = "") -> Response:
        return _no_store(self.web.render(request, "error.html", {"title": title, "message": message,
                                                                  "status": status, "detail": detail},
                                         status_code=status))

    def respondent_error(self, request: Request, status: int, title: str, message: str,
                         record: Any = None) -> Response:
        """An error on a respondent's page (closed, not found, refused): in the respondent's layout, without
        the observatory's menu, and in the form's own languages when the survey is known (``record``)."""
        context = {"title": title, "message": message}
        if record is not None:
            return self.render_respondent(request, "survey_closed.html", record, context, status_code=status)
        return _no_store(self.web.render(request, "survey_closed.html", context, status_code=status))

    async def survey(self, slug: str):
        """The survey's record, cached for a moment: the definition is read on every submission, while
        the status that matters (open or closed) is checked again inside the storing transaction."""
        cached = self._surveys.get(slug)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        record = await run_in_threadpool(self.store.get_survey, slug)
        self._surveys[slug] = (time.monotonic() + SURVEY_CACHE_SECONDS, record)
        return record

    def checker(self, slug: str, record: Any) -> AnswerChecker:
        """The answer checker of ``record`` (the survey's current record from :meth:`survey`), built once per
        record: a record read anew (after the cache's moment, or a replaced form) gets a checker of its own."""
        cached = self._checkers.get(slug)
        if cached is not None and cached[0] is record:
            return cached[1]
        checker = AnswerChecker(record.form)
        self._checkers[slug] = (record, checker)
        return checker

    def forget(self, slug: str) -> None:
        self._surveys.pop(slug, None)
        self._checkers.pop(slug, None)

    def _allowed(self, request: Request) -> bool:
        # The client address is used only here, in memory, to slow floods; it is never stored.
        slug = request.path_params.get("slug", "")
        address = request.client.host if request.client else "unknown"
        return self.limiter.allow(f"{slug}\n{address}") and self.survey_limiter.allow(slug)

    def respondent_languages(self, request: Request, form: Any) -> dict[str, Any]:
        """What a respondent's page needs to speak the form's own languages (issue 17, item 2).

        The switch lists the languages the form is written in, not the observatory's: a German and
        Russian form offers German and Russian. The questions are shown in the language the reader asks
        for (``?lang=``, the cookie, Accept-Language) when the form has it, else in the form's default,
        else its first. The page's own texts (buttons, notices, errors) come from the observatory's
        catalogs; for a language it has no catalog for they are in English, and the page says so rather
        than mixing languages without a word. A form with plain labels in no stated language keeps the
        observatory's languages, as before.
        """
        offered = form.language_names()
        if not offered:
            language = self.web.language(request)
            return {"form_language": language, "page_language": language, "switch": LANGUAGES, "language_note": ""}
        wanted = wanted_languages(request.query_params.get("lang"), request.cookies.get(COOKIE),
                                  request.headers.get("accept-language"))
        default = language_code(form.default_language) if form.default_language else ""
        chosen = next((code for code in wanted if code in offered),
                      default if default in offered else next(iter(offered)))
        page_language = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
        note = ""
        if chosen not in LANGUAGES:
            note = self.web.catalogs.gettext(page_language)(
                "The questions are in {language}; this page's buttons and notices are in English, because the "
                "observatory has no translation into {language} yet.").format(language=offered[chosen])
        switch = {code: LANGUAGES.get(code, name) for code, name in offered.items()} if len(offered) > 1 else {}
        return {"form_language": chosen, "page_language": page_language, "switch": switch, "language_note": note}

    def render_respondent(self, request: Request, template: str, record: Any, context: dict[str, Any],
                          status_code: int = 200) -> Response:
        """A respondent's page in the form's languages (see ``respondent_languages``)."""
        languages = self.respondent_languages(request, record.form)
        full = {**context, "lang": languages["form_language"], "languages": languages["switch"],
                "language_note": languages["language_note"], "page_lang": languages["page_language"],
                "respondent_switch": True}
        return _no_store(self.web.render(request, template, full, status_code=status_code,
                                         language=languages["page_language"]))

    def form_context(self, request: Request, record: Any, number: int = 0,
                     values: dict[str, list[str]] | None = None, problems: dict[str, str] | None = None,
                     submission_id: str | None = None) -> dict[str, Any]:
        """The page ``number`` of the form: its questions that apply given the answers of earlier pages
        (carried in ``values``), the answers of every other page as hidden fields."""
        language = self.respondent_languages(request, record.form)["form_language"]
        form = record.form
        values = values or {}
        steps = plan_steps(form)
        step = steps[number]
        earlier, _, applies = check_answers(form, values, only=names_before(steps, number), language=language)
        blocks: list[dict[str, Any]] = []
        skipping = 0  # depth inside a group that does not apply
        for kind, index in step.items:
            question = form.questions[index]
            closing = kind == CLOSE or question.kind == "end_group"
            opening = question.kind == "begin_group" and not closing
            if skipping:
                skipping += 1 if opening else -1 if closing else 0
                continue
            if opening and not applies[index]:
                skipping = 1
                continue
            if closing:
                if blocks and blocks[-1]["kind"] == "begin_group":
                    blocks.pop()  # nothing of the group applies on this page
                else:
                    blocks.append({"kind": "end_group"})
                continue
            if not applies[index]:
                continue
            blocks.append({
                "kind": question.kind, "name": question.name, "label": form.text(question.labels, language),
                "hint": form.text(question.hints, language), "required": question.required,
                # A choice filter reads answers of earlier pages only (steps.py breaks the page before).
                "choices": [(choice.name, form.text(choice.labels, language) or choice.name)
                            for choice in options_for(form, question, earlier)],
                "values": values.get(question.name, []), "problem": (problems or {}).get(question.name),
                "parameters": question.parameters,  # a range's start, end and step
            })
        labels = {question.name: form.text(question.labels, language) or question.name
                  for question in form.answer_questions()}
        summary = [(name, labels.get(name, name), message, name in step.names)
                   for name, message in (problems or {}).items()]
        # Answers of the other pages travel in the page itself (hidden fields), never in the address or
        # a cookie, and nothing is stored before the last page is sent.
        carried = [(name, value) for name, answers in values.items() if name not in step.names
                   and name in labels for value in answers]
        return {"record": record, "blocks": blocks, "problems": problems or {}, "summary": summary,
                "submission_id": submission_id or str(uuid.uuid4()), "form_title": record.title,
                "step": number, "steps": len(steps), "carried": carried}

    # pages
    async def index(self, request: Request) -> Response:
        surveys = await run_in_threadpool(self.store.list_surveys)
        return _no_store(self.web.render(request, "survey_list.html", {"surveys": surveys}))

    async def form_page(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        try:
            record = await self.survey(slug)
        except SurveyNotFound:
            return self.respondent_error(request, 404, "Survey not found", "There is no survey at this address.")
        if request.method == "POST":
            return await self.form_post(request, record)
        if record.status != "open":
            return self.respondent_error(request, 410, "Survey closed", "This survey no longer accepts answers.",
                                         record)
        return self.render_respondent(request, "survey_form.html", record, self.form_context(request, record))

    async def form_post(self, request: Request, record: Any) -> Response:
        if cross_site(request):
            return self.respondent_error(request, 403, "Refused", "Answers can only be sent from this site's own form.",
                                         record)
        if record.status != "open":
            return self.respondent_error(request, 410, "Survey closed", "This survey no longer accepts answers.",
                                         record)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return self.respondent_error(request, 415, "Refused", "The form must be sent as a normal web form.", record)
        try:
            body = await read_body(request, self.max_body)
        except BodyTooLarge:
            return self.respondent_error(request, 413, "Too long", "The answers are longer than this survey accepts.",
                                         record)
        try:
            # errors="strict": a percent-escape that is not UTF-8 is refused, never read as U+FFFD.
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=500, strict_parsing=False,
                              errors="strict")
        except (UnicodeDecodeError, ValueError):
            return self.respondent_error(request, 400, "Refused", "The answers could not be read.", record)
        submission_id = valid_submission_id((fields.get("submission_id") or [""])[0]) or str(uuid.uuid4())
        answers = {name: values for name, values in fields.items() if name not in CONTROL_FIELDS}
        form = record.form
        steps = plan_steps(form)
        step_text = (fields.get(STEP_FIELD) or ["0"])[0]
        if not step_text.isdigit() or int(step_text) >= len(steps):
            return self.respondent_error(request, 400, "Refused", "The answers could not be read.", record)
        number = int(step_text)
        going_back = (fields.get(NAV_FIELD) or ["next"])[0] == "back"
        # Every page sent is checked again with all the pages before it: hidden fields come back from the
        # browser and are trusted no more than the visible ones.
        languages = self.respondent_languages(request, form)
        language = languages["form_language"]
        clean, problems, applies = check_answers(form, answers, only=names_before(steps, number + 1),
                                                 language=language)
        translate = self.web.catalogs.gettext(languages["page_language"])
        step_of = step_of_question(steps)

        def page(target: int, found: list[Problem], status: int) -> Response:
            known = {name: values for name, values in answers.items() if name in step_of}
            shown = {problem.field: problem.text(translate) for problem in found}
            context = self.form_context(request, record, target, known, shown, submission_id)
            return self.render_respondent(request, "survey_form.html", record, context, status_code=status)

        def shows_something(target: int) -> bool:
            # Pages are planned so that what a page shows depends only on the pages before it.
            return any(applies[index] for kind, index in steps[target].items
                       if kind == ROW and form.questions[index].kind not in ("begin_group", "end_group"))

        if problems and not going_back:
            # Show the first page with a problem (a tampered answer of an earlier page sends the
            # respondent back there); unknown fields are reported on the page just sent.
            return page(min(step_of.get(problem.field, number) for problem in problems), problems, 422)
        if going_back:
            target = number - 1
            while target > 0 and not shows_something(target):
                target -= 1
            return page(max(target, 0), [], 200)
        target = number + 1
        while target < len(steps) and not shows_something(target):
            target += 1
        if target < len(steps):
            return page(target, [], 200)
        # The last page: the whole submission is checked once more, exactly as the JSON API does.
        clean, problems, _ = check_answers(form, answers, language=language)
        if problems:
            return page(min(step_of.get(problem.field, number) for problem in problems), problems, 422)
        # Only what would be stored counts toward the rate limit: moving between the pages of a long
        # form stores nothing and must not lock a respondent out before the end.
        if not self._allowed(request):
            return self.respondent_error(request, 429, "Too many answers", "Please wait a minute and try again.",
                                         record)
        try:
            await self.store.submit_awaited(record.slug, submission_id, clean, "web")
        except SubmissionInvalid as error:
            return page(number, list(error.problems), 422)
        except SubmissionConflict:
            # The same form page sent twice with changed answers: keep the first, as the API does.
            return self.respondent_error(request, 409, "Already received", "These answers were already sent once; "
                              "reload the form to answer again.", record)
        except SurveyClosed:
            return self.respondent_error(request, 410, "Survey closed", "This survey no longer accepts answers.",
                                         record)
        return RedirectResponse(f"/s/{record.slug}/thanks?lang={language}", status_code=303, headers=NO_STORE)

    async def thanks(self, request: Request) -> Response:
        try:
            record = await self.survey(request.path_params["slug"])
        except SurveyNotFound:
            return self.respondent_error(request, 404, "Survey not found", "There is no survey at this address.")
        return self.render_respondent(request, "survey_thanks.html", record, {"record": record})

    async def share(self, request: Request) -> Response:
        try:
            record = await self.survey(request.path_params["slug"])
        except SurveyNotFound:
            return self.error(request, 404, "Survey not found", "There is no survey at this address.")
        link = self.form_link(request, record.slug)
        return _no_store(self.web.render(request, "survey_share.html", {"record": record, "link": link}))

    def form_link(self, request: Request, slug: str) -> str:
        """The address respondents open: under the public base URL when one is set (``diaspora serve
        --public-url``, or the network address ``--share`` found), else the address this request came to."""
        if self.public_url:
            return f"{self.public_url}/s/{slug}"
        return str(request.url_for("survey_form", slug=slug))

    async def qr(self, request: Request) -> Response:
        """The form's link as a QR code: SVG for the screen, PNG (``qr.png``) to print."""
        import io

        import segno

        slug = request.path_params["slug"]
        try:
            await self.survey(slug)
        except SurveyNotFound:
            return Response("no such survey", status_code=404, headers=NO_STORE)
        code = segno.make(self.form_link(request, slug), error="m")
        out = io.BytesIO()
        if request.url.path.endswith(".png"):
            # 10 pixels a module with the standard quiet zone of 4 modules: sharp when printed on A4.
            code.save(out, kind="png", scale=10, border=4)
            return Response(out.getvalue(), media_type="image/png", headers=NO_STORE)
        # A standalone SVG document needs its xmlns (svg_inline leaves it out): without it a browser
        # loads the image as an unknown XML document, 0 px wide.
        code.save(out, kind="svg", scale=6, border=4, xmldecl=True, svgns=True)
        return Response(out.getvalue(), media_type="image/svg+xml", headers=NO_STORE)

    # the JSON API
    async def api_submit(self, request: Request) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
        """One submission through the JSON API: (status, JSON reply, extra headers). Served by
        :class:`SubmissionsEndpoint`, without Starlette's request and response objects."""
        def refuse(status: int, message: str, **extra: Any) -> tuple[int, dict[str, Any], list]:
            return status, {"error": message, **extra}, []

        slug = request.path_params["slug"]
        if cross_site(request):
            return refuse(403, "cross-site submissions are refused")
        if not self._allowed(request):
            return refuse(429, "too many submissions from this client; wait a minute")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return refuse(415, "send the submission as application/json")
        try:
            body = await read_body(request, self.max_body)
        except BodyTooLarge:
            return refuse(413, f"the body is larger than {self.max_body} bytes")
        if json_too_deep(body):
            return refuse(400, f"the JSON nests more than {MAX_JSON_DEPTH} levels deep; a submission needs three")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return refuse(400, "the body is not valid JSON")
        if not isinstance(payload, dict) or set(payload) - {"submission_id", "answers"} or \
                not isinstance(payload.get("answers"), dict):
            return refuse(400, 'send {"submission_id": "...", "answers": {...}} and nothing else')
        submission_id = valid_submission_id(payload.get("submission_id"))
        if submission_id is None:
            return refuse(400, "submission_id must be 8 to 64 letters, digits, '-' or '_' (a UUID)")
        try:
            record = await self.survey(slug)
            # The form's own constraint messages in the client's language (?lang= or Accept-Language).
            # (chosen only when a message is written: most submissions need none)
            clean = self.checker(slug, record).validate(payload["answers"], lambda: self.web.language(request))
            receipt = await self.store.submit_awaited(slug, submission_id, clean, "api")
        except SurveyNotFound:
            return refuse(404, f"no survey '{slug}'")
        except SurveyClosed:
            return refuse(410, f"the survey '{slug}' is closed")
        except SubmissionInvalid as error:
            translate = self.web.gettext(request)  # in the client's language, like the form's own messages
            return refuse(422, "invalid answers", problems=[
                {"field": problem.field, "message": problem.text(translate)} for problem in error.problems])
        except SubmissionConflict as error:
            return refuse(409, error.message)
        # An identical replay gets the same success as the first receipt, so a client may retry freely.
        return 201, {"submission_id": receipt.submission_id, "status": "stored"}, \
            [(b"x-replayed", b"false" if receipt.created else b"true")]

    # results
    async def results_context(self, request: Request, slug: str, by: str | None,
                              row_item: str | None) -> dict[str, Any]:
        """The results context of ``slug``'s published snapshot in the request's language, with the
        cross-tabulation of ``row_item`` by ``by`` when both are single-choice questions (and the page drawn
        from it, under "rendered"): kept per snapshot, first computed in the results page worker
        (results_worker.py), outside the server's interpreter. Raises Busy, TooSlow or WorkerLost
        (web/pageprocesses.py) when the worker cannot answer in time."""
        from diaspora_observatory.survey import results_worker
        from diaspora_observatory.survey.results_view import results_cache

        cache = results_cache(self.store)
        language = self.web.language(request)
        # Never the live answers: the published snapshot (taken here when due: a write, kept in this process).
        state, key = await run_in_threadpool(cache.state_and_key, slug, language, by, row_item)
        context = cache.cached(key)
        if context is None:
            # The pool's own key names this cache's store too; concurrent first views wait for one computation,
            # and one finished after its deadline fills the pool's cache for the reload.
            context = await self.pages.run((cache.token, *key), RESULTS_DEADLINE_SECONDS, results_worker.results_page,
                                           cache.token, self.store.url, state, language, *key[-2:],
                                           plain_scope(request, f"/s/{slug}/results"))
            context = cache.keep(key, context)
        return context

    def not_ready(self, request: Request, error: Exception) -> Response:
        """The results page's 503 while its worker cannot answer (the reader reloads; nothing is lost)."""
        if isinstance(error, WorkerLost):
            message = ("The process preparing the results stopped before they were ready; a new one has started. "
                       "Reload in a few seconds.")
        elif isinstance(error, Busy):
            message = "The server is preparing other results; reload this page in a few seconds."
        else:
            message = "The results of a new snapshot are still being prepared; reload this page in a few seconds."
        response = self.error(request, 503, "Results being prepared", message)
        response.headers["retry-after"] = "5"
        return response

    async def results(self, request: Request) -> Response:
        slug = request.path_params["slug"].removesuffix(".json").removesuffix(".csv")
        try:
            await self.survey(slug)
        except SurveyNotFound:
            return self.error(request, 404, "Survey not found", "There is no survey at this address.")
        try:
            context = await self.results_context(request, slug, request.query_params.get("by"),
                                                 request.query_params.get("row"))
        except (Busy, TooSlow, WorkerLost) as error:
            return self.not_ready(request, error)
        path = request.url.path
        if path.endswith(".json"):
            return JSONResponse(context["data"], headers=NO_STORE)
        if path.endswith(".csv"):
            # ?bom=1: a byte order mark first, so that Excel reads Kazakh and Russian labels as UTF-8 (the
            # raw export's --bom; without it Excel guesses the Windows code page and garbles them).
            body = ("\ufeff" if request.query_params.get("bom") == "1" else "") + context["csv"]
            return Response(body, media_type="text/csv; charset=utf-8",
                            headers={**NO_STORE, "content-disposition": f'attachment; filename="{slug}-results.csv"'})
        # The page depends on nothing but the cached entry (its key holds the language) and the path, so the
        # worker drew it with the entry: a repeated view is a lookup, not a template (--dev: templates reload,
        # so the server draws it again from the entry on every view).
        rendered = context["rendered"]
        if self.web.dev:
            alternates = {"json": f"/s/{slug}/results.json", "csv": f"/s/{slug}/results.csv"}
            response = self.web.render(request, "survey_results.html", context, alternates=alternates)
            rendered = (response.body, dict(response.headers))
        return _no_store(Response(rendered[0], headers=rendered[1]))

    async def chart(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        try:
            await self.survey(slug)
        except SurveyNotFound:
            return Response("no such survey", status_code=404, headers=NO_STORE)
        layout = "narrow" if request.query_params.get("layout") == "narrow" else "wide"
        # the page's own chart, from the same cached snapshot (the chart ignores ?by= and ?row=)
        try:
            context = await self.results_context(request, slug, None, None)
        except (Busy, TooSlow, WorkerLost):
            return Response("the results are still being prepared; reload in a few seconds", status_code=503,
                            headers={**NO_STORE, "retry-after": "5"})
        svg = context["charts"][layout]
        return Response(svg, media_type="image/svg+xml", headers=NO_STORE)

    # admin
    async def admin(self, request: Request) -> Response:
        from diaspora_observatory.survey.exports import responses_columns, responses_csv_chunks, responses_rows

        slug = request.path_params["slug"]
        action = request.path_params.get("action", "view")
        try:
            record = await self.survey(slug)
        except SurveyNotFound:
            return self.error(request, 404, "Survey not found", "There is no survey at this address.")
        if action not in ("view", "export", "close", "open", "delete"):
            return self.error(request, 404, "Not found", "There is no such admin action.")
        if request.method == "GET":
            return _no_store(self.web.render(request, "survey_admin_login.html", {"record": record, "failed": False}))
        if cross_site(request):
            return self.error(request, 403, "Refused", "Answers can only be sent from this site's own form.")
        try:
            body = await read_body(request, self.max_body)
        except BodyTooLarge:
            return self.error(request, 413, "Too long", "The answers are longer than this survey accepts.")
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=20, errors="strict")
        except ValueError:  # UnicodeDecodeError included: bytes that are not UTF-8 are refused
            return self.error(request, 400, "Refused", "The answers could not be read.")
        token = (fields.get("token") or [request.headers.get("authorization", "").removeprefix("Bearer ").strip()])[0]
        try:  # wrong tokens are limited per client (safety.AttemptLimiter): no guessing by trying
            accepted = self.web.token_attempts.verify(client_address(request),
                                                      check_admin_token(self.web.data_dir, token),
                                                      attempt_route(request))
        except TooManyAttempts as error:
            response = self.error(request, 429, "Too many attempts", error.message)
            response.headers["retry-after"] = str(error.retry_after)
            return response
        if not accepted:
            # The same answer for a wrong and a missing token; no hint about which.
            return _no_store(self.web.render(request, "survey_admin_login.html", {"record": record, "failed": True},
                                             status_code=403))
        if action == "export":
            # a chunk of rows at a time from one query sorted by the database (arrival-blind), read in a
            # thread: the server holds a chunk, whatever the number of answers
            chunks = responses_csv_chunks(record.form, self.store.blind_responses(slug))
            return StreamingResponse(_off_loop(chunks), media_type="text/csv; charset=utf-8", headers={
                **NO_STORE, "content-disposition": f'attachment; filename="{slug}-responses.csv"'})
        if action in ("close", "open"):
            await run_in_threadpool(self.store.set_status, slug, "closed" if action == "close" else "open")
            self.forget(slug)
            record = await self.survey(slug)
        if action == "delete":
            if (fields.get("confirm") or [""])[0] != slug:
                return self.error(request, 400, "Not deleted", "Type the survey's short name to confirm deletion.")
            await run_in_threadpool(self.store.delete_survey, slug)
            self.forget(slug)
            return _no_store(self.web.render(request, "survey_deleted.html", {"slug": slug}))
        raw_page = (fields.get("page") or ["1"])[0]
        if not (raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) < 10 and int(raw_page) > 0):
            return self.error(request, 404, "Not found", "There is no such page of the raw answers.")
        page = int(raw_page)
        first = (page - 1) * ADMIN_ROWS_PER_PAGE
        total, responses = await run_in_threadpool(self.store.blind_page, slug, first, ADMIN_ROWS_PER_PAGE)
        pages = max(1, -(-total // ADMIN_ROWS_PER_PAGE))
        if page > pages:
            return self.error(request, 404, "Not found", "There is no such page of the raw answers.")
        shown = list(responses_rows(record.form, responses, spreadsheet_safe=False))
        return _no_store(self.web.render(request, "survey_admin.html", {
            "record": record, "token": token, "columns": responses_columns(record.form), "rows": shown,
            "total": total, "page": page, "pages": pages, "first": first + 1 if shown else 0,
            "last": first + len(shown)}))

    async def stylesheet(self, request: Request) -> Response:
        return FileResponse(HERE / "static" / "survey.css", media_type="text/css")


class SubmissionsEndpoint:
    """``POST /s/{slug}/submissions`` as a bare ASGI app: the one route where the cost of each request
    is the measure (see benchmarks/results/survey.md), so it builds its reply itself instead of going
    through Starlette's response classes. Same checks, headers and errors as any other route."""

    def __init__(self, views: SurveyViews) -> None:
        self.views = views
        self.headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                        *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            status, payload, extra = await self.views.api_submit(Request(scope, receive))
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        except Exception:  # noqa: BLE001 - a JSON 500 for the client, the trace for the log
            logger.exception("survey submission failed")
            status, payload, extra = 500, {"error": "the server could not store this submission; try again"}, []
            body = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [*self.headers, *extra, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _setting(name: str, default: int) -> int:
    """A whole-number setting from the environment; a value that is not one stops the server, named."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise DiasporaError(f"{name}={text!r} is not a whole number",
                            f"set it to a whole number, or unset it for the default ({default})") from None


def _sqlite_refusal(url: str, workers: int | None) -> DiasporaError:
    path = url.split("///", 1)[-1]
    asked = f"{workers} server processes were asked for" if workers else "another server process already serves it"
    return DiasporaError(f"the survey answers are in the SQLite file {path}, which one server process serves; "
                         f"{asked}",
                         f"run one process (diaspora serve without --workers), or set {DATABASE_URL_ENV} to a "
                         "PostgreSQL database (postgresql+psycopg://USER@HOST/DB) to run several: docs/survey.md, "
                         "\"Several server processes\"")


def _hold_sqlite(url: str, workers: int | None):
    """An exclusive lock beside the SQLite file for this process's lifetime (returns its release), or the
    refusal when another process holds it or several were asked for."""
    if workers is not None and workers > 1:
        raise _sqlite_refusal(url, workers)
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one process there is the user's care (docs/survey.md)
        return lambda: None
    lock_path = Path(url.split("///", 1)[-1] + ".server-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise _sqlite_refusal(url, None) from None
    return lambda: os.close(descriptor)


def prepare_processes(case: Any, data_dir: Path, workers: int) -> None:
    """The extension hook run once before ``workers`` server processes start (see extension_points.py):
    refuses SQLite, which serves one process, and creates the tables, the default survey and the admin token
    once, so the workers neither race to create them nor each announce a token of their own."""
    url = database_url(data_dir)
    if workers > 1 and url.startswith("sqlite"):
        raise _sqlite_refusal(url, workers)
    store = SurveyStore(url)
    try:
        try:
            store.get_survey(DEFAULT_SLUG)
        except SurveyNotFound:
            store.add_survey(DEFAULT_SLUG, default_form())
    finally:
        store.close()
    ensure_admin_token(data_dir)


def results_processes(web: WebContext) -> PageProcesses:
    """The results page's worker process (one per server process: first views of one snapshot are computed once
    and later ones are lookups, so a second worker would mostly wait), as the documents pages have theirs."""
    from diaspora_observatory.survey.results_worker import PRELOAD, start_worker

    server = weakref.ref(web)  # the pool holds no reference to the app: an app that is freed stops its worker

    def settings():
        web = server()
        assert web is not None, "the workers of a freed app are not started again"
        return server_settings(web)

    return PageProcesses(settings, 1, RESULTS_MAX_WAITING, initializer=start_worker, name="survey results",
                         preload=PRELOAD)


def routes(web: WebContext) -> list[BaseRoute]:
    """The survey's routes for ``diaspora serve``; opens the store, adds the default survey and makes sure
    an admin token exists (printing it once if it was generated)."""
    # Settings from the environment, so that every worker process of `diaspora serve` reads the same ones
    # (serve's --survey-rate, --survey-rate-total and --public-url set them; see web/cli.py). Read before
    # anything is opened: a bad value stops the server with its name.
    rate_limit = _setting("DIASPORA_SURVEY_RATE_LIMIT", DEFAULT_RATE_PER_ADDRESS)
    survey_rate_limit = _setting("DIASPORA_SURVEY_RATE_TOTAL", DEFAULT_RATE_PER_SURVEY)
    max_body = _setting("DIASPORA_SURVEY_MAX_BODY", DEFAULT_MAX_BODY)
    public_url = os.environ.get("DIASPORA_PUBLIC_URL", "")
    web.add_template_dir(HERE / "templates")
    web.add_locale_dir(HERE / "locale")
    # Labels written in Markdown, as ODK and Enketo show them (escaped first: see survey/markdown.py).
    web.environment.filters.update(markdown=label_html, markdown_plain=label_text)
    if database_url(web.data_dir).startswith("sqlite") and web.processes != 1:
        # Started as one of several workers (or by uvicorn run directly, which may start several): SQLite serves
        # one process, so a second one on the same file is refused (the lock goes with the process).
        web.on_shutdown.append(_hold_sqlite(database_url(web.data_dir), web.processes))
    store = SurveyStore.for_data_dir(web.data_dir, group_commit=True)
    try:
        store.get_survey(DEFAULT_SLUG)
    except SurveyNotFound:
        store.add_survey(DEFAULT_SLUG, default_form())
    ensure_admin_token(web.data_dir)
    pages = results_processes(web)
    # Started with the server, in the background (the worker loads the case and compiles the page before the
    # first reader, without holding up the server's start); an app used without its lifespan (embedded in a
    # test) starts it at its first view and stops it when freed.
    web.on_startup.append(pages.start_in_background)
    web.on_shutdown.append(pages.close)
    weakref.finalize(web, pages.close)
    views = SurveyViews(web, store, pages, rate_limit=rate_limit, max_body=max_body,
                        survey_rate_limit=survey_rate_limit, public_url=public_url)
    web.survey_store = store
    web.on_shutdown.append(store.close)  # the writer thread finishes its batch and the connections close
    return [
        Route("/s", views.index, name="survey_index"),
        Route("/s/static/survey.css", views.stylesheet, name="survey_css"),
        Route("/s/{slug}", views.form_page, methods=["GET", "POST"], name="survey_form"),
        Route("/s/{slug}/thanks", views.thanks, name="survey_thanks"),
        Route("/s/{slug}/share", views.share, name="survey_share"),
        Route("/s/{slug}/qr.svg", views.qr, name="survey_qr"),
        Route("/s/{slug}/qr.png", views.qr, name="survey_qr_png"),
        Route("/s/{slug}/submissions", SubmissionsEndpoint(views), methods=["POST"], name="survey_api"),
        Route("/s/{slug}/results", views.results, name="survey_results"),
        Route("/s/{slug}/results.json", views.results, name="survey_results_json"),
        Route("/s/{slug}/results.csv", views.results, name="survey_results_csv"),
        Route("/s/{slug}/likert.svg", views.chart, name="survey_chart"),
        Route("/s/{slug}/admin", views.admin, methods=["GET", "POST"], name="survey_admin"),
        Route("/s/{slug}/admin/{action:str}", views.admin, methods=["POST"], name="survey_admin_action"),
    ]
