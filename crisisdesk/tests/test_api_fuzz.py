"""Schemathesis against our own OpenAPI schema: no 5xx, and answers that match the schema.

Bounded (a few examples per operation) to keep the suite fast; it runs in process over WSGI,
on the real database, signed in as the demo lead with a token.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crisisdesk.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def token(builtin_roles, team, org, roles):
    from incidents.tests.conftest import open_incident

    open_incident(org, team, roles)
    return Token.objects.create(user=team["lead"]).key


@schema.parametrize()
@pytest.mark.django_db(transaction=True)  # on PostgreSQL a refused query must not poison the next request
@hypothesis_settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_every_generated_request_without_5xx_and_as_documented(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
