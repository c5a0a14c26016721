"""Read diplomatic cables from the forms they come in, and index them with Whoosh.

The public API::

    from indexer import read_cables, parse_text, canonical_refid, Cable
"""

from .build import BuildCounts, IndexStats, build_index, index_stats, open_index
from .errors import ParseError
from .models import Cable, Paragraph, Recipient, Source
from .parsing import parse_text
from .readers import read_cables
from .refids import canonical_refid

__all__ = [
    "Cable",
    "Paragraph",
    "Recipient",
    "Source",
    "ParseError",
    "read_cables",
    "parse_text",
    "canonical_refid",
    "build_index",
    "open_index",
    "index_stats",
    "BuildCounts",
    "IndexStats",
]
