"""examples/search.ipynb runs top to bottom in a real Jupyter kernel against a small index."""

from __future__ import annotations

import re

import pytest

from indexer.build import build_index

from .conftest import REPO

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the test extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the test extra (nbclient)")


def test_example_notebook_runs(tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    build_index(index_dir, [REPO / "corpus"])
    monkeypatch.setenv("CABLES_INDEX", str(index_dir))
    nb = nbformat.read(REPO / "examples" / "search.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = {i: cell.get("outputs", []) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}
    errors = [o for outs in outputs.values() for o in outs if o.get("output_type") == "error"]
    assert errors == []
    text = "\n".join(
        o.get("text", "") if o.get("output_type") == "stream" else str(o.get("data", {}).get("text/plain", ""))
        for outs in outputs.values() for o in outs
    )
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for outs in outputs.values() for o in outs)
    assert "12 cables, " in text
    assert "<mark>" in html and "<script>" not in html  # the results table, escaped
    assert "Unknown field 'orign:'" in text
    # The per-year chart: a matplotlib image when it is installed, else text bars.
    images = [o for outs in outputs.values() for o in outs if "image/png" in o.get("data", {})]
    assert images or re.search(r"^2009  #+ \d+$", text, re.M)
