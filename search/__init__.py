"""The query layer: ranked keyword and field search over a cable index.

The library notebooks import, and what the CLI and the web app call::

    from search import CableSearch
"""

from .results import FacetValue, Hit, ParagraphHit, Results

__all__ = ["FacetValue", "Hit", "ParagraphHit", "Results"]
