"""Where errors become responses: the web app's one translation point.

Domain errors (``IndexNotFound``, ``SchemaMismatch``, ``QueryError``), bad parameters
(:class:`~web.params.ParamError`) and HTTP errors (404, 405) are turned into a page, or
into JSON for ``/api/`` and the exports, with the right status. Anything else is a bug
and is left to Flask's 500 handling, so it is logged with its traceback.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import CableSearchError, IndexNotFound
from search import QueryError

from .params import ParamError, SearchState
from .views import render_search

__all__ = ["init_app"]


def _wants_json() -> bool:
    path = request.path
    return path.startswith("/api/") or path.startswith("/export.")


def _json(status: int, message: str, **extra):
    return {"error": message, "status": status, **extra}, status


def _search_form_again(message: str):
    """A bad query re-renders the search form with the message, the query kept for editing."""
    q = request.args.get("q", "")[: current_app.config["MAX_QUERY_CHARS"]]
    q = q.replace("\x00", "").strip()  # a NUL has no business in the page, even escaped
    state = SearchState(q=q, default_page_size=current_app.config["PAGE_SIZE"])
    return render_search(state, error=message), 400


def bad_request(exc: Exception):
    """``ParamError`` and ``QueryError``: 400 with the message, which says what to change."""
    message = str(exc)
    if _wants_json():
        return _json(400, message)
    if request.endpoint in ("web.search_page", "web.home"):
        return _search_form_again(message)
    return render_template("error.html", status=400, title="Bad request", message=message), 400


def no_index(exc: IndexNotFound):
    """No index yet: 503 with the command that builds one."""
    index_dir = str(current_app.config["INDEX_DIR"])
    message = f"No index yet at {index_dir}: run `cables index corpus/` to build one."
    if _wants_json():
        return _json(503, message)
    return render_template("noindex.html", index_dir=index_dir, detail=str(exc)), 503


def index_unusable(exc: CableSearchError):
    """An index that exists but cannot be searched (e.g. ``SchemaMismatch``): 503 and why.

    The index layer's messages already name the command that fixes it.
    """
    message = str(exc)
    if _wants_json():
        return _json(503, message)
    return (
        render_template("error.html", status=503, title="Index unavailable", message=message),
        503,
    )


def http_error(exc: HTTPException):
    """404, 405 and the other HTTP errors, as our page or as JSON."""
    status = exc.code or 500
    message = exc.description or exc.name
    if _wants_json():
        response = _json(status, message)
    else:
        response = (
            render_template("error.html", status=status, title=exc.name, message=message),
            status,
        )
    # Keep what the exception would have sent, e.g. ``Allow`` on a 405.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return (*response, headers)


def init_app(app: Flask) -> None:
    """Register the handlers on ``app`` (order does not matter: Flask picks the closest class)."""
    app.register_error_handler(ParamError, bad_request)
    app.register_error_handler(QueryError, bad_request)
    app.register_error_handler(IndexNotFound, no_index)
    app.register_error_handler(CableSearchError, index_unusable)
    app.register_error_handler(HTTPException, http_error)
