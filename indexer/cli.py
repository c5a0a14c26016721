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


@cli.command()
@index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. 127.0.0.1 serves only this machine; 0.0.0.0 listens on "
    "every network interface, so anyone who can reach this machine can read the index.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one (the address is printed).",
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at the same time.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the address on stderr.")
@domain_errors
def serve(index_dir, host, port, threads, quiet):
    """Serve the search web app (pages, JSON API, exports) with waitress.

    The index may be built or rebuilt while it runs: the next request sees it.

    Example:

        cables serve --index instance/index --port 8000
    """
    # Imported here so `cables index` and `cables search` never pay for Flask.
    from waitress import create_server

    from web import create_app

    app = create_app({"INDEX_DIR": index_dir})
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="cablesearch")
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Pick another --port."
        ) from exc
    out = progress_stream(quiet)
    if out is not None:
        print(f"Serving {index_dir} at http://{host}:{server.effective_port}/", file=out)
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(f"Listening on {host}: other machines can reach this server.", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
