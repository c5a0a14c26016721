"""The Flask front end: search and cable pages over the ``search`` facade.

::

    from web import create_app
    app = create_app({"INDEX_DIR": "instance/index"})

``cables serve`` runs it behind waitress.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from jinja2 import StrictUndefined

from indexer.config import default_index_dir

from . import engine, errors, security, templating
from .views import bp

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app.

    :param test_config: config overrides; ``INDEX_DIR`` is the index to serve (default
        :func:`indexer.config.default_index_dir`). ``PAGE_SIZE`` (20), ``MAX_PAGE_SIZE``
        (100), ``MAX_QUERY_CHARS`` (2000) and ``MAX_FILTER_VALUES`` (20) bound requests.
    :returns: the app; the index is opened on the first request that needs it.
    """
    app = Flask(__name__)
    app.json = security.SafeJSONProvider(app)
    app.config.from_mapping(
        INDEX_DIR=str(default_index_dir()),
        PAGE_SIZE=20,
        MAX_PAGE_SIZE=100,
        MAX_QUERY_CHARS=2000,
        MAX_FILTER_VALUES=20,
    )
    if test_config:
        app.config.from_mapping(test_config)
    # A typo in a template should fail the tests, not render as an empty string.
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    engine.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    app.register_blueprint(bp)
    return app
