"""The wheel ships resources/ and db/, and an installed copy works outside the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("frontdesk-*.whl"))


@pytest.mark.slow
def test_wheel_contains_fonts_migrations_and_seed(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "frontdesk/resources/fonts/DroidSansFallbackFull.ttf" in names
    assert "frontdesk/resources/fonts/LICENSE-DroidSansFallback.txt" in names
    assert "frontdesk/db/migrations/0001_initial.sqlite.sql" in names
    assert "frontdesk/db/migrations/0001_initial.postgresql.sql" in names
    assert "frontdesk/db/seed/catalogue.json" in names


@pytest.mark.slow
def test_installed_wheel_builds_a_demo_database_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site), FRONTDESK_HOME=str(tmp_path / "home"))
    probe = ("import frontdesk, frontdesk.paths as p; print(frontdesk.__file__); print(p.migrations_dir()); "
             "print(p.font_path().exists())")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0].startswith(str(site)) and out[1].startswith(str(site)) and out[2] == "True"
    result = subprocess.run([sys.executable, "-m", "frontdesk", "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}",
                             "demo", "--guests", "5", "--visits", "5"], cwd=tmp_path, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "演示账号 admin" in result.stdout
