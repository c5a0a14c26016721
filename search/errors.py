"""The one error the query layer raises on purpose."""

from __future__ import annotations

from indexer.errors import CableSearchError

__all__ = ["QueryError"]


class QueryError(CableSearchError):
    """A query hit a limit (length, page depth, page size, wildcard expansion)."""
