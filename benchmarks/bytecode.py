"""Compile bytecode before timing anything, as an installed package would have it.

Where ``PYTHONDONTWRITEBYTECODE`` is set (it is on the development machine), a module edited
since its last ``.pyc`` is compiled again by every process that imports it, ~0.05 s per run
of a Steward command: a cost no installed copy pays, counted against Steward and not against
the peers. Each benchmark calls :func:`precompile` first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def precompile(python: Path | str = sys.executable, *folders: Path | str) -> None:
    """``compileall`` over ``folders`` (default: Steward's package and the site packages)."""
    if not folders:
        import sysconfig

        import steward

        folders = (Path(steward.__file__).parent, sysconfig.get_paths()["purelib"])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", *map(str, folders)],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
