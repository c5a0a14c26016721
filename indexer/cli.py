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


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print the cables as JSON Lines on stdout (the default without --report).")
@click.option("--report", is_flag=True,
              help="Print counts per format, field completeness and every error.")
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "blog", "text", "jsonl"]),
              default=None, help="Read every file as this format instead of detecting it.")
@click.option("--strict", is_flag=True, help="Exit 1 if any file or record could not be read.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or diagnostics on stderr.")
@domain_errors
def parse_cmd(paths, as_json, report, fmt, strict, quiet):
    """Parse cables and print them as JSON Lines, or report on the parse.

    Bad files and records never stop the run: each is listed as PATH:LOCATION: REASON
    (on stderr, and in the report) and counted. The exit code is 0 when the run
    completes, even with such errors (use --strict to get 1 instead); 2 for usage errors.

    Examples:

        cables parse corpus/ > cables.jsonl

        cables parse ../shared/corpus/cablegate-html --report
    """
    import time

    from .parse_report import ParseReport
    from .readers import read_cables

    rep = ParseReport()
    err = progress_stream(quiet)
    emit_json = as_json or not report
    started = time.perf_counter()

    def on_error(e):
        rep.diagnose(e)
        if err is not None and not report:
            where = ":".join(p for p in (e.path, e.location) if p)
            click.echo(f"{where}: {e.reason}", file=err)

    out = sys.stdout  # written directly: click.echo per cable costs more than the parse
    for path in paths:
        for cable in read_cables(path, format=fmt, errors=on_error):
            rep.add(cable)
            if emit_json:
                out.write(cable.to_json() + "\n")
            if err is not None and rep.cables % 5000 == 0:
                click.echo(f"parsed {rep.cables:,} cables ...", file=err)
    elapsed = time.perf_counter() - started
    if report:
        click.echo(rep.render(), file=err if emit_json and as_json else out)
    if err is not None:
        click.echo(f"parsed {rep.cables:,} cables in {elapsed:.1f} s, {len(rep.errors):,} errors",
                   file=err)
    if strict and rep.errors:
        sys.exit(1)


# ---- cables index / cables stats -------------------------------------------------------


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class _ProgressLine:
    """One self-rewriting stderr line: cables, cables/s, MB/s and an ETA from bytes read."""

    def __init__(self, stream):
        self.stream = stream
        self.width = 0

    def __call__(self, p) -> None:
        rate = p.cables / p.seconds if p.seconds > 0 else 0.0
        mbs = p.bytes_done / 1e6 / p.seconds if p.seconds > 0 else 0.0
        parts = [f"{p.cables:,} cables", f"{rate:,.0f} cables/s"]
        if p.bytes_total:
            parts.append(f"{p.bytes_done / 1e6:,.1f}/{p.bytes_total / 1e6:,.1f} MB, {mbs:.2f} MB/s")
            if p.bytes_done and p.stage != "done":
                left = (p.bytes_total - p.bytes_done) / (p.bytes_done / p.seconds)
                parts.append(f"ETA {_duration(left)}")
        if p.stage == "committing":
            parts.append("committing")
        line = "indexing: " + ", ".join(parts)
        pad = max(0, self.width - len(line))
        self.width = len(line)
        end = "\n" if p.stage == "done" else ""
        self.stream.write("\r" + line + " " * pad + end)
        self.stream.flush()


@cli.command("index")
@index_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the live one and swap it in when done.")
@click.option(
    "--wait",
    default=0.0,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="If another run is indexing, wait up to this long for it instead of failing.",
)
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1),
    help="Cables per commit (a killed run loses at most one batch).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(0),
    help="Processes that parse and write (default: one per core, at most 2; 0: all in this one).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress line on stderr.")
@domain_errors
def index_command(index_dir, paths, rebuild, wait, batch_size, workers, quiet):
    """Index cables from files or directories (any format the parser reads).

    Incremental: unchanged cables are skipped, changed ones replaced, new ones added.
    Parse errors are reported on stderr and counted; they never stop the run.

    Examples:

        cables index corpus/

        cables index --rebuild --index /data/index cables.csv
    """
    from .build import DEFAULT_BATCH, build_index

    out = progress_stream(quiet)

    def on_error(err):
        click.echo(f"{err}", err=True)

    counts = build_index(
        index_dir,
        paths,
        rebuild=rebuild,
        progress=_ProgressLine(out) if out is not None else None,
        on_error=on_error,
        batch_size=batch_size or DEFAULT_BATCH,
        wait=wait,
        workers=workers,
    )
    click.echo(str(counts))


@cli.command("stats")
@index_option
@domain_errors
def stats_command(index_dir):
    """Show what is in the index: counts, size, schema version, build time, date range."""
    from .build import index_stats

    st = index_stats(index_dir)
    first = st.first_date.date().isoformat() if st.first_date else "-"
    last = st.last_date.date().isoformat() if st.last_date else "-"
    rows = [
        ("index", st.index_dir),
        ("generation", st.generation),
        ("cables", f"{st.cables:,}"),
        ("paragraphs", f"{st.paragraphs:,}"),
        ("size on disk", f"{st.size_bytes / 1e6:,.1f} MB"),
        ("segments", str(st.segments)),
        ("schema version", str(st.schema_version)),
        ("created", st.created or "-"),
        ("last build", st.updated or "-"),
        ("dates", f"{first} .. {last}"),
    ]
    for key, value in rows:
        click.echo(f"{key + ':':<16}{value}")


# ---- cables search ---------------------------------------------------------------------


def _parse_filters(pairs) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE (e.g. origin='Embassy Bangkok')",
                                     param_hint="--filter")
        name = name.strip()
        if name in ("date_from", "date_to"):
            filters[name] = value.strip()  # type: ignore[assignment]
        else:
            filters.setdefault(name, []).append(value.strip())
    return filters


def _styled_snippet(text: str, offsets) -> str:
    out, cursor = [], 0
    for start, end in offsets:
        out.append(text[cursor:start])
        out.append(click.style(text[start:end], bold=True, underline=True))
        cursor = end
    out.append(text[cursor:])
    return "".join(out).replace("\n", " ")


@cli.command("search")
@index_option
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Hits to show (one page).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of --limit hits.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance",
              show_default=True, help="date = oldest first, -date = newest first.")
@click.option("--filter", "-f", "filter_pairs", multiple=True, metavar="NAME=VALUE",
              help="Keep only cables with this facet value: origin, year, classification, "
                   "caveats, tags, date_from, date_to. Repeat to combine.")
@domain_errors
def search_command(index_dir, query, as_json, limit, page, sort, filter_pairs):
    """Search the index and print the best cables with their best paragraphs.

    The query language (phrases, OR, NOT, field:value, dates, refids) is described in
    docs/query-syntax.md.

    Examples:

        cables search trafficking in persons

        cables search '"vital voices" origin:bangkok' --sort date

        cables search 'marking:S nuclear' -f year=2009 --json
    """
    import json

    from search import CableSearch

    text = " ".join(query)
    results = CableSearch(index_dir).search(
        text, filters=_parse_filters(filter_pairs), sort=sort, page=page, page_size=limit,
        facets=as_json,
    )
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    first = (page - 1) * limit
    click.echo(f"{results.total:,} cable{'s' if results.total != 1 else ''} "
               f"(page {results.page} of {results.pages}): {results.echo}")
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    for note in results.notes:
        click.echo(f"Note: {note}")
    for i, hit in enumerate(results.hits, first + 1):
        date = hit.created.strftime("%Y-%m-%d") if hit.created else "----------"
        click.echo("")
        click.echo(f"{i:>3}. {click.style(hit.refid, bold=True)}  {date}  {hit.origin or '?'}"
                   f"  [{hit.classification or '?'}]")
        click.echo(f"     {hit.subject or '(no subject)'}")
        for para in hit.paragraphs[:1]:
            label = f"¶{para.number}" if para.number is not None else f"#{para.index + 1}"
            if para.marking:
                label += f" ({para.marking})"
            click.echo(f"     {label}: {_styled_snippet(para.text, para.offsets)}")


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
    help="Requests each process serves at the same time.",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port. Searching is CPU-bound Python, so one "
    "process uses about one core: set this to the number of cores for throughput.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the address on stderr.")
@domain_errors
def serve(index_dir, host, port, threads, processes, quiet):
    """Serve the search web app (pages, JSON API, exports) with waitress.

    The index may be built or rebuilt while it runs: the next request sees it.

    Example:

        cables serve --index instance/index --port 8000 --processes 2
    """
    # Imported here so `cables index` and `cables search` never pay for Flask.
    from web import create_app
    from web.serving import bind
    from web.serving import serve as run_server

    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Pick another --port."
        ) from exc
    out = progress_stream(quiet)
    if out is not None:
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving {index_dir} at http://{shown}:{sock.getsockname()[1]}/", file=out)
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(f"Listening on {host}: other machines can reach this server.", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
    status = run_server(
        lambda: create_app({"INDEX_DIR": index_dir}),
        sock,
        threads=threads,
        processes=processes,
        log=sys.stderr,
    )
    if status:
        raise click.ClickException("A server process stopped unexpectedly.")
