"""Command-line tools and scripts from the npm registry, installed once for the tests.

They go to ``~/.cache/accessible-test/npm`` (outside the repository), so a second test
run installs nothing. A test that needs one is skipped when npm itself is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "accessible-test" / "npm"


def npm_file(package: str, relative: str, *, ignore_scripts: bool = False) -> Path:
    """``node_modules/<relative>`` after installing ``package`` (a spec such as ``axe-core@4``).

    ``ignore_scripts`` skips install scripts: those that download browser builds
    (Electron, Puppeteer's Chromium) fail on machines without that network, and we use
    Debian's Chromium instead.
    """
    path = CACHE / "node_modules" / relative
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"npm is missing, so {package} cannot be fetched")
        args = [npm, "install", "--prefix", str(CACHE), package, "--no-audit", "--no-fund", "--silent"]
        subprocess.run(args + (["--ignore-scripts"] if ignore_scripts else []), check=True, timeout=600)
    return path
