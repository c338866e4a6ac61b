"""Schemathesis against /api/v1/openapi.json: no answer is a server error, every answer
conforms to the published schema (status code, content type, body).

Bounded and deterministic (fixed examples per operation, derandomized) so that it runs in
`make test` and `make test-postgres` on every change. Each generated request is sent twice
through the Django WSGI application: as an editor (bob, unit A1) and as the coordinator
(alice), each with a bearer token.

`positive_data_acceptance` is deliberately not checked: schema-valid input naming a unit,
variable or period that does not exist is answered 404 or 422 by design, and that is the
correct answer, not a defect.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


from miara.wsgi import application  # noqa: E402  (pytest-django has set Django up)

# The schema document is built from the code alone; reading it touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def connection_kept():
    """Calls go through the WSGI application, whose request signals close the database
    connection after each answer; the test's transaction lives on that connection (on
    PostgreSQL; SQLite's in-memory database ignores the close). Django's test client
    keeps the connection the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearers(bob, alice, connection_kept):
    from miara.accounts.services import token_create

    return {
        user.username: {"Authorization": f"Bearer {token_create(user=user)}"}
        for user in (bob, alice)
    }


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@pytest.mark.django_db
def test_the_api_keeps_its_schema_and_never_answers_500(case, bearers):
    for headers in bearers.values():
        # The WSGI transport hands over the body as sent; an HTTP client would undo the
        # gzip of CompressionMiddleware, this one needs the body uncompressed.
        case.call_and_validate(headers={**headers, "Accept-Encoding": "identity"}, checks=CHECKS)
