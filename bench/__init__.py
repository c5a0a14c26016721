"""Benchmarks for cablesearch: synthetic full-scale corpora, baselines, ratios.

Run as ``python -m bench ...`` (see ``bench/README.md``). Nothing here is imported by
the product packages; the bench drives them the way a user does (the ``cables`` CLI in a
subprocess, :class:`search.CableSearch` in-process) and compares them with two baselines
built from the same input in the same run.
"""

__all__: list[str] = []
