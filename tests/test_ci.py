"""CI runs what the README says, and it cannot pass without the PostgreSQL cases.

The hook in tests/conftest.py is exercised by running pytest in a child process on a one-test folder that
uses the real conftest, with the environment a CI machine or a developer would have.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/test"


def _run_suite(tmp_path, **env_changes):
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "conftest.py", folder / "conftest.py")
    (folder / "test_one.py").write_text("def test_database_opens(fdb):\n    assert fdb\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FRONTDESK_REQUIRE_PG", "FRONTDESK_TEST_PG_URL")}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(folder)],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_without_the_requirement_an_unset_url_skips_the_postgresql_case(tmp_path):
    code, out = _run_suite(tmp_path)
    assert code == 0 and "1 passed, 1 skipped" in out and "FRONTDESK_TEST_PG_URL is not set" in out


@pytest.mark.parametrize("required", [{"FRONTDESK_REQUIRE_PG": "1"}, {"CI": "true"}])
def test_when_required_an_unset_url_fails_the_run(tmp_path, required):
    code, out = _run_suite(tmp_path, **required)
    assert code != 0 and "passed" not in out and "skipped" not in out
    assert "FRONTDESK_TEST_PG_URL is not set" in out


def test_when_required_an_unreachable_server_fails_the_run(tmp_path):
    code, out = _run_suite(tmp_path, FRONTDESK_REQUIRE_PG="1", FRONTDESK_TEST_PG_URL=UNREACHABLE)
    assert code != 0 and "passed" not in out and "cannot be used" in out


def test_when_required_and_reachable_both_databases_run(tmp_path):
    url = os.environ.get("FRONTDESK_TEST_PG_URL")
    if not url:
        pytest.skip("FRONTDESK_TEST_PG_URL is not set: PostgreSQL cases not run")
    code, out = _run_suite(tmp_path, FRONTDESK_REQUIRE_PG="1", FRONTDESK_TEST_PG_URL=url)
    assert code == 0 and "2 passed" in out and "skipped" not in out


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for block in re.findall(r"```sh\n(.*?)```", readme, re.S) for line in block.splitlines()
                if "-m pytest" in line]
    assert len(commands) == 1, commands
    return commands[0].strip()


def test_ci_runs_exactly_the_readme_test_command_and_requires_postgresql():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert _readme_test_command() in lines
    assert "export FRONTDESK_REQUIRE_PG=1" in lines
    assert any(line.startswith("export FRONTDESK_TEST_PG_URL=") for line in lines)
