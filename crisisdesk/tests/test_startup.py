"""A fresh process starts: what a Celery worker or gunicorn does before its first request.

Inside the test run, modules are already imported in another order, which hides circular imports
between DRF's settings and the classes they name (the parser, pagination, throttles)."""

import os
import subprocess
import sys

from django.conf import settings

LOAD_EVERY_API_SETTING = """
import django
django.setup()
from rest_framework.settings import api_settings
for name in api_settings.defaults:
    getattr(api_settings, name)
from crisisdesk.celery import app
app.loader.import_default_modules()
print("started")
"""


def test_a_fresh_process_loads_every_api_setting_and_the_tasks():
    result = subprocess.run(
        [sys.executable, "-c", LOAD_EVERY_API_SETTING],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crisisdesk.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("started")
