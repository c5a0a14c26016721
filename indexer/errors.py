"""Domain exceptions of the indexer. The CLI and the web app translate them once."""

from __future__ import annotations

__all__ = ["CableSearchError", "ParseError", "IndexLocked", "IndexNotFound", "SchemaMismatch"]


class CableSearchError(Exception):
    """Base class of every error this project raises on purpose."""


class ParseError(CableSearchError):
    """A file, row or text could not be read as a cable.

    It is a *diagnostic*: :func:`indexer.read_cables` reports it and goes on.

    :param path: the file, or ``None`` for in-memory text.
    :param location: ``"line N"`` or ``"row N"`` where the bad record starts, if known.
    :param reason: what was wrong, and what to do about it.
    """

    def __init__(self, reason: str, path: str | None = None, location: str | None = None):
        self.reason = reason
        self.path = path
        self.location = location
        where = ":".join(p for p in (path, location) if p)
        super().__init__(f"{where}: {reason}" if where else reason)


class IndexNotFound(CableSearchError):
    """There is no index at the given directory."""


class IndexLocked(CableSearchError):
    """Another indexing run holds the index's write lock."""


class SchemaMismatch(CableSearchError):
    """The index was written by an incompatible schema version; it must be rebuilt."""
