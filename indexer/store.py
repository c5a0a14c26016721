"""The stored copy of a cable: the whole :class:`~indexer.Cable` as zlib-compressed JSON.

This is the only place the index keeps full text. The cable page, snippets and
re-indexing (to update ``cited_by``) read it back with :func:`decode_cable`.
"""

from __future__ import annotations

import json
import zlib

from .models import Cable

__all__ = ["decode_cable", "encode_cable"]

# Level 3: on the 2,000 bench cables it compresses in 64% of level 6's (zlib's default)
# time for 4.7% more bytes (7.90 MB against 7.55 MB; about 0.6% of a whole index); level
# 4 saved half as much time for 1.8% more, level 1 little more time for 8.8% more, and
# level 9 under 2% of bytes for about twice level 6's time. Any level decompresses with
# the same plain zlib.decompress.
_LEVEL = 3


def encode_cable(cable: Cable) -> bytes:
    """``cable`` as compact JSON, compressed; ``source`` included (where it was read)."""
    return zlib.compress(cable.to_json().encode("utf-8"), _LEVEL)


def decode_cable(blob: bytes) -> Cable:
    """The inverse of :func:`encode_cable`."""
    return Cable.from_dict(json.loads(zlib.decompress(blob).decode("utf-8")))
