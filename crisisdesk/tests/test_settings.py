"""Settings fail loudly: a process with a bad environment does not start, and says why.

Each case starts `manage.py check` in a process of its own with exactly the environment given
(nothing of this test run's: pytest's own PYTEST_VERSION gives test runs a throwaway key).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crisisdesk.settings import StrictEnv

BASE_DIR = Path(__file__).resolve().parents[2]

# Every boolean crisisdesk/settings.py reads from the environment.
BOOLEANS = (
    "DEBUG",
    "AXES_ENABLED",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_PROXY",
)
OURS = {*BOOLEANS, "SECRET_KEY", "DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x8Jq2vN0pL5sR7tW1yZ4bC6dF9gH3kM8nQ0rS2uV5wX7zA1cE4"}


def start_all(cases: dict[str, dict[str, str]]) -> dict[str, subprocess.CompletedProcess]:
    """`manage.py check` under each environment, all at once; answers each one's result."""
    clean = {name: value for name, value in os.environ.items() if name not in OURS}
    running = {
        case: subprocess.Popen(
            [sys.executable, "manage.py", "check"],
            cwd=BASE_DIR,
            env={**clean, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for case, env in cases.items()
    }
    results = {}
    for case, process in running.items():
        out, err = process.communicate(timeout=120)
        results[case] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


def test_good_environments_start():
    results = start_all(
        {
            "make run": {"DEBUG": "1"},
            "production": PRODUCTION,
            "production on plain HTTP (make prod)": {
                **PRODUCTION,
                "SECURE_SSL_REDIRECT": "0",
                "SESSION_COOKIE_SECURE": "false",
                "CSRF_COOKIE_SECURE": "no",
            },
            "an empty value is the default": {**PRODUCTION, "BEHIND_PROXY": ""},
        }
    )
    for case, result in results.items():
        assert result.returncode == 0, (case, result.stderr)
        assert "no issues" in result.stdout, case


def test_debug_off_without_a_secret_key_refuses_to_start():
    results = start_all({"DEBUG=0": {"DEBUG": "0"}, "nothing set": {}, "an empty key": {"SECRET_KEY": ""}})
    for case, result in results.items():
        assert result.returncode != 0, case
        assert "ImproperlyConfigured" in result.stderr, case
        assert "SECRET_KEY is not set" in result.stderr, case


def test_an_unknown_boolean_refuses_to_start_whichever_it_is():
    results = start_all({name: {**PRODUCTION, name: "ture"} for name in BOOLEANS})
    for name, result in results.items():
        assert result.returncode != 0, name
        assert f"{name}='ture' is not a boolean" in result.stderr, (name, result.stderr[-500:])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("True", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("FALSE", False),
        ("off", False),
    ],
)
def test_the_strict_reader_knows_yes_and_no(raw, expected):
    env = StrictEnv()  # reading a dictionary of our own instead of the process environment
    env.ENVIRON = {"FLAG": raw}
    assert env.bool("FLAG", default=not expected) is expected
    env.ENVIRON = {}
    assert env.bool("FLAG", default=expected) is expected
