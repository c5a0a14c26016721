"""Read diplomatic cables from the forms they come in, and index them with Whoosh.

The public API::

    from indexer import read_cables, parse_text, canonical_refid, Cable
"""

from .errors import ParseError
from .models import Cable, Paragraph, Recipient, Source

__all__ = ["Cable", "Paragraph", "Recipient", "Source", "ParseError"]
