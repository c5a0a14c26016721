"""The app's one :class:`search.CableSearch`, created on first use.

The facade is thread-safe and opens one searcher per call, so one instance serves every
waitress thread, and a reindex from the shell shows up on the next request. It is created
lazily because the index may not exist when the server starts: until it does, each
request raises :class:`indexer.errors.IndexNotFound` (a friendly 503 page), and the first
request after ``cables index`` succeeds without a restart.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

__all__ = ["get_search", "init_app"]

_EXTENSION = "cablesearch"


def init_app(app: Flask) -> None:
    """Prepare the slot and the lock that guard the app's facade."""
    app.extensions[_EXTENSION] = {"search": None, "lock": threading.Lock()}


def get_search():
    """The current app's ``CableSearch``, created on first use.

    :raises IndexNotFound: when there is no index at ``INDEX_DIR`` (yet).
    :raises SchemaMismatch: when the index must be rebuilt.
    """
    slot = current_app.extensions[_EXTENSION]
    search = slot["search"]
    if search is not None:
        return search
    with slot["lock"]:
        if slot["search"] is None:
            # Imported on first use: Whoosh and NLTK take a few hundred ms to import,
            # which `cables serve --help` and the app factory should not pay.
            from search import CableSearch

            # Only a successful construction is kept: a missing index is retried on
            # the next request, so the page recovers as soon as the index is built.
            slot["search"] = CableSearch(current_app.config["INDEX_DIR"])
        return slot["search"]
