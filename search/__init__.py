"""The query layer: ranked keyword and field search over a cable index.

The library notebooks import, and what the CLI and the web app call::

    from search import CableSearch

    s = CableSearch("instance/index")
    r = s.search('"vital voices" OR trafficking', filters={"year": ["2006"]}, sort="-date")
    r.total, r.echo, r.notes              # exact count; the query as understood; repairs
    r.hits[0].paragraphs[0].html          # escaped snippet with <mark> around matches
    r.facets["origin"], r.year_counts()   # over the whole result set
    r.to_dataframe()                      # with pandas installed

The query language is documented in ``docs/query-syntax.md``. Modules: ``querylang``
(the string -> a syntax tree), ``compile`` (tree -> Whoosh query on the index's own
analyzer), ``plan`` (tiers, exact totals, ranking), ``docsets`` (fast exact document
sets), ``exact`` (``=word`` for the words the index keeps without an exact twin),
``facets``, ``hits`` and ``snippets`` (page materialization), ``render`` (HTML and
text), ``engine`` (the facade).
"""

from .engine import CableSearch
from .errors import QueryError
from .results import CableView, FacetValue, Hit, ParagraphHit, Results

__all__ = ["CableSearch", "QueryError", "CableView", "FacetValue", "Hit", "ParagraphHit", "Results"]
