"""The query layer: ranked keyword and field search over a cable index.

The library notebooks import, and what the CLI and the web app call::

    from search import CableSearch
"""

from .engine import CableSearch
from .errors import QueryError
from .results import CableView, FacetValue, Hit, ParagraphHit, Results

__all__ = ["CableSearch", "QueryError", "CableView", "FacetValue", "Hit", "ParagraphHit", "Results"]
