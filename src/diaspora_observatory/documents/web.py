"""Web pages for documents: coverage, gaps and agreement; reading a document and coding it by hand.

Manual coding works without JavaScript: the form offers the document's sentences to choose from, and
start/end fields for any other span. With JavaScript on, ``/coding/static/select.js`` (an external file:
the app's Content-Security-Policy forbids inline scripts) fills start and end from the text the reader
selects. POST forms refuse cross-site requests and bodies over :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import is_cross_site

NAV = [("/coding", "Document coding")]
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16_384
STATIC_FILES = {"select.js": "text/javascript", "documents.css": "text/css"}
_EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _refuse_cross_site(request: Request) -> None:
    """Reject a form post sent by another site (the browser says so in Sec-Fetch-Site or Origin)."""
    if is_cross_site(request):
        raise HTTPException(403, "Cross-site form posts are refused.")


async def _read_form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST, read up to MAX_BODY_BYTES (413 beyond)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, "The form is too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "The form is too large.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form could not be read.") from None
    return {key: values[0] for key, values in fields.items()}


def routes(web) -> list[BaseRoute]:
    """The documents pages, for the app's extension interface (see web/extensions.py)."""
    from diaspora_observatory.documents.store import DocumentNotFound
    from diaspora_observatory.documents.workspace import Workspace

    web.add_template_dir(HERE / "templates")
    web.add_locale_dir(HERE / "locale")
    state: dict[str, Workspace] = {}

    def workspace() -> Workspace:
        if "workspace" not in state:
            state["workspace"] = Workspace(web.case, web.data_dir)
        return state["workspace"]

    def chosen_coder(request: Request) -> tuple[str, list[str] | None]:
        """The coder chosen with ?coder= (empty: every coder); an unknown name is simply not offered."""
        coder = request.query_params.get("coder", "")
        known = set(workspace().store.passages()["coder"])
        return (coder, [coder]) if coder in known else ("", None)

    def index_data(coders: list[str] | None) -> dict:
        from diaspora_observatory.analysis.documents import coverage_matrix, gaps

        space = workspace()
        long = space.coverage(coders)
        return {"documents": space.documents(), "coverage": long, "matrix": coverage_matrix(long),
                "gaps": gaps(long), "agreement": space.agreement(), "themes": space.themes_over_time("press", coders),
                "disagreements": space.disagreements("auto", "study"), "codes": space.codes,
                "coders": sorted(set(space.store.passages()["coder"]))}

    async def index(request: Request) -> Response:
        coder, coders = chosen_coder(request)
        data = index_data(coders)
        source_ids = {s for s in data["documents"]["source_id"] if s}
        query = f"?coder={quote(coder)}" if coder else ""
        return web.render(request, "documents_index.html", {**data, "source_ids": source_ids, "coder": coder},
                          alternates={"csv": f"/coding.csv{query}", "json": f"/coding.json{query}"})

    async def index_data_export(request: Request) -> Response:
        from diaspora_observatory.documents.exports import to_csv
        from diaspora_observatory.tabular import to_json

        fmt = request.path_params["format"]
        if fmt not in _EXPORT_TYPES:
            raise HTTPException(404)
        long = workspace().coverage(chosen_coder(request)[1])
        body = to_csv(long) if fmt == "csv" else to_json(long)
        return Response(body, media_type=_EXPORT_TYPES[fmt])

    def document_page(request: Request, document_id: str, error: str = "", status: int = 200,
                      form: dict | None = None) -> Response:
        from diaspora_observatory.documents.coding import sentences

        space = workspace()
        try:
            document = space.store.get(document_id)
        except DiasporaError:
            raise HTTPException(404, f"No document {document_id!r} has text here.") from None
        passages = space.store.passages(document_id)
        spans = sentences(document.text)
        marks = [sorted({p.code for p in passages.itertuples() if p.start < end and p.end > start})
                 for start, end in spans]
        return web.render(request, "documents_document.html", {
            "document": document, "sentences": [(s, e, document.text[s:e], m) for (s, e), m in zip(spans, marks)],
            "passages": passages, "codebook": space.codebook, "error": error, "form": form or {},
            "coded": request.query_params.get("coded", ""), "source_ids": {document.source_id} - {""}},
            status_code=status)

    async def read(request: Request) -> Response:
        return document_page(request, request.path_params["document_id"])

    async def code(request: Request) -> Response:
        _refuse_cross_site(request)
        form = await _read_form(request)
        document_id = request.path_params["document_id"]
        space = workspace()
        try:
            start, end = _offsets(form)
            passage_id = space.store.add_manual(document_id, form.get("code", ""), form.get("coder", ""), start, end,
                                                space.codebook.names)
        except DiasporaError as error:
            if isinstance(error, DocumentNotFound):
                raise HTTPException(404, error.message) from None
            return document_page(request, document_id, error=str(error), status=400, form=form)
        return RedirectResponse(f"/coding/{document_id}?coded={passage_id}#passages", status_code=303)

    async def delete(request: Request) -> Response:
        _refuse_cross_site(request)
        await _read_form(request)
        document_id = request.path_params["document_id"]
        workspace().store.delete_passage(int(request.path_params["passage_id"]), document_id)
        return RedirectResponse(f"/coding/{document_id}#passages", status_code=303)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            raise HTTPException(404)
        return FileResponse(HERE / "static" / name, media_type=STATIC_FILES[name])

    return [
        Route("/coding", index, methods=["GET"], name="coding"),
        Route("/coding.{format}", index_data_export, methods=["GET"]),
        Route("/coding/static/{name}", static, methods=["GET"]),
        Route("/coding/{document_id}", read, methods=["GET"], name="coding-document"),
        Route("/coding/{document_id}/code", code, methods=["POST"]),
        Route("/coding/{document_id}/passages/{passage_id:int}/delete", delete, methods=["POST"]),
    ]


def _offsets(form: dict[str, str]) -> tuple[int, int]:
    """Start and end from the form: the start/end fields when filled, else the chosen sentence ("start-end")."""
    from diaspora_observatory.documents.store import PassageInvalid

    start, end = form.get("start", "").strip(), form.get("end", "").strip()
    if not (start and end):
        start, _, end = form.get("sentence", "").partition("-")
    if not (start.isdigit() and end.isdigit()):
        raise PassageInvalid("choose a sentence or give the start and end of the passage",
                             "select text in the document, or pick a sentence from the list")
    return int(start), int(end)
