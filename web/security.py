"""Response hardening: read-only methods, security headers, HTML-safe JSON.

The app only reads an index, so anything but GET and HEAD is refused before routing.
The headers are set on every response, error pages included.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import MethodNotAllowed

__all__ = ["HEADERS", "SafeJSONProvider", "html_safe_json", "init_app"]

ALLOWED_METHODS = ("GET", "HEAD")

#: Set on every response. No inline script or style anywhere, so the policy can be strict;
#: the histogram is inline SVG drawn with attributes, which ``style-src`` does not govern.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Queries sit in our URLs, and what a journalist searches for is sensitive: never
    # send it to another site in a Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def html_safe_json(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` with ``<``, ``>`` and ``&`` as ``\\u`` escapes.

    The JSON means the same, but a ``<script>`` in a cable or a query can never appear
    literally in a response, even if some client renders it as HTML.
    """
    text = json.dumps(data, **kwargs)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, emitting HTML-safe JSON (see :func:`html_safe_json`)."""

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return html_safe_json(obj, **kwargs)


def _refuse_writes() -> None:
    if request.method not in ALLOWED_METHODS:
        raise MethodNotAllowed(valid_methods=list(ALLOWED_METHODS))


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Install the method guard and the headers on ``app``."""
    app.before_request(_refuse_writes)
    app.after_request(_add_headers)
