"""Where the index lives by default."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["INDEX_ENV", "default_index_dir"]

#: The environment variable that overrides the default index location.
INDEX_ENV = "CABLES_INDEX"


def default_index_dir() -> Path:
    """``$CABLES_INDEX`` if set, else ``instance/index`` under the current directory."""
    env = os.environ.get(INDEX_ENV)
    return Path(env) if env else Path("instance") / "index"
