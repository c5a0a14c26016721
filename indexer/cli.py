"""The ``cables`` command: one click group, thin wrappers over the libraries.

Domain errors are translated to messages and exit codes here and only here:
0 success, 1 a failure the user can fix (no index, lock held, bad input), 2 usage.
Data goes to stdout; progress and diagnostics go to stderr.
"""

from __future__ import annotations

import functools
import sys

import click

from .config import INDEX_ENV, default_index_dir
from .errors import CableSearchError

__all__ = ["cli"]


def index_option(func):
    """The shared ``--index DIR`` option, overridable by ``$CABLES_INDEX``."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False),
        default=lambda: str(default_index_dir()),
        show_default=f"${INDEX_ENV} or instance/index",
        help="Index directory.",
    )(func)


def domain_errors(func):
    """Turn our own exceptions into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CableSearchError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cablesearch")
def cli():
    """Search diplomatic cables: parse them, index them, query them, serve them.

    Example:

        cables index corpus/ && cables search "trafficking in persons"
    """


def progress_stream(quiet: bool):
    """Where progress goes: stderr, or nowhere with ``-q``."""
    return None if quiet else sys.stderr


# ---- cables parse ----------------------------------------------------------------------

# ---- cables index / cables stats -------------------------------------------------------

# ---- cables search ---------------------------------------------------------------------

# ---- cables serve ----------------------------------------------------------------------
