"""`/healthz`: is the database reachable, and the broker? For load balancers and `make prod`."""

from django.db import connection
from django.http import JsonResponse

from crisisdesk.celery import app as celery_app


def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "not reachable", said in the answer
        return f"failing: {error.__class__.__name__}"
    return "ok"


def _broker() -> str:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"failing: {error.__class__.__name__}"
    return "ok"
