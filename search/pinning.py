"""Hold on to every file a searcher may read, at the moment it is opened.

Whoosh opens a segment's column files (stored fields, field lengths, sort columns)
lazily, on first use, and asks the file system whether each one exists. An incremental
commit that merges segments deletes the merged segments' files; a searcher opened before
that commit then finds a stored-fields column "missing" halfway through a search and
fails (``TypeError: 'NoneType' object is not subscriptable`` from
``W3PerDocReader.stored_fields``). Opening them all up front keeps the searcher on the
commit it was opened on: on POSIX an open file outlives its deletion.

This reaches into ``whoosh.codec.whoosh3`` internals (``_perdoc``, ``_cached_reader``,
``_colfiles``) on purpose; whoosh-reloaded is pinned to 2.7.5, and the test of 8
searching threads during a reindex (``tests/indexer/test_safety.py``) guards it.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, _lenfield

__all__ = ["pin_files"]


def pin_files(searcher) -> None:
    """Open the column files of every segment *searcher* reads, so later deletions of
    those files (by a commit that merged the segments) cannot reach it.

    :raises OSError: a file was deleted before it could be opened; open a new searcher.
    """
    schema = searcher.schema
    scorable = [name for name, field in schema.items() if field.scorable]
    columned = [name for name, field in schema.items() if field.column_type is not None]
    for leaf, _offset in searcher.reader().leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            continue
        if perdoc._cached_reader("_stored", STORED_COLUMN) is None and perdoc.doc_count_all():
            # Every segment with documents has stored fields: the file is already gone.
            raise FileNotFoundError(f"stored fields of segment {leaf.segment()} vanished")
        for name in scorable:
            perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
        for name in columned:
            if name not in perdoc._colfiles and perdoc.has_column(name):
                perdoc._colfiles[name] = perdoc._get_column_file(name)
