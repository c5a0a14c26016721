"""Fixtures every test package can use: where the repo, its corpus and ../shared are.

``shared_dir`` skips the test, with the reason, when the shared real-cable corpus is not
beside the checkout (a fresh clone, CI without the data); nothing in the repo's own
tests needs it otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's root directory."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def corpus_dir(repo_root: Path) -> Path:
    """The bundled sample cables (``corpus/``)."""
    return repo_root / "corpus"


@pytest.fixture(scope="session")
def shared_dir(repo_root: Path) -> Path:
    """``../shared`` beside the checkout; skips when its cable pages are absent."""
    shared = (repo_root / ".." / "shared").resolve()
    if not (shared / "corpus" / "cablegate-html").is_dir():
        pytest.skip(f"needs the shared corpus at {shared}/corpus/cablegate-html (not present)")
    return shared
