"""The package as pip installs it from a wheel: everything it reads at run time is inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the tracked files only (a clean checkout), as `pip install .` builds it."""
    src = tmp_path_factory.mktemp("src")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes((ROOT / name).read_bytes())
    dist = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(src)]
    subprocess.run(cmd, check=True, capture_output=True)
    return next(dist.glob("accessible-*.whl"))


def test_wheel_carries_the_data_files(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("baker.toml", "lexicon.toml", "yunyang.toml"):
        assert f"accessible/data/voices/{name}" in names
    assert "accessible/speech/data/polyphones.txt" in names
    assert "accessible/outputs/webassets/player.js" in names
    assert "accessible/samples/hengshui-2017.txt" in names


@pytest.mark.slow
def test_installed_wheel_runs_from_any_folder(wheel: Path, tmp_path: Path):
    """Installed (not editable) and run from an empty folder, it finds its voices and lexicon."""
    site = tmp_path / "site"
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)]
    subprocess.run(cmd, check=True, capture_output=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    # The installed copy comes first on the path, before the test environment's editable one.
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "accessible", *args], cwd=empty, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([sys.executable, "-c", "import accessible; print(accessible.__file__)"], cwd=empty, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))
    assert run("--version").startswith("accessible ")
    assert "baker (default)  baker/baker-female" in run("voices")
    # the default lexicon (which the baker profile names) is found and applied
    assert '"kind": "lexicon"' in run("read", "--json", "阜城县")
