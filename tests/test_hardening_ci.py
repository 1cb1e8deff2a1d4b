"""Issue 15, item 8: with CI=true an unreachable PostgreSQL fails the PostgreSQL tests
instead of skipping them (locally it still skips, with the reason)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_TEST = "tests/test_hardening_printing.py::test_job_page_print_buttons_post[postgresql]"


def _run(ci: str | None):
    env = {**os.environ, "TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/nowhere"}
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", ONE_TEST, "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "-rs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_unreachable_postgres_fails_in_ci_and_skips_locally():
    ci = _run("true")
    assert ci.returncode != 0 and ("1 error" in ci.stdout or "1 failed" in ci.stdout), ci.stdout[-2000:]
    assert "PostgreSQL tests fail instead of skipping" in ci.stdout
    local = _run(None)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout[-2000:]
