"""The OpenAPI schema and the interactive documentation, served without any CDN."""

import pytest
from django.test import Client, modify_settings

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/catalogue/areas": {"get"},
    "/api/v1/catalogue/variables": {"get"},
    "/api/v1/catalogue/indicators": {"get"},
    "/api/v1/catalogue/groups": {"get"},
    "/api/v1/units": {"get"},
    "/api/v1/results": {"get"},
    "/api/v1/context": {"get"},
    "/api/v1/values": {"get", "post"},
    "/api/v1/values/history": {"get"},
    "/api/v1/cycles": {"get", "post"},
    "/api/v1/cycles/{cycle_id}": {"get"},
    "/api/v1/cycles/{cycle_id}/submissions": {"get"},
    "/api/v1/submissions/{submission_id}": {"get"},
    "/api/v1/submissions/{submission_id}/submit": {"post"},
    "/api/v1/submissions/{submission_id}/return": {"post"},
    "/api/v1/submissions/{submission_id}/accept": {"post"},
    "/api/v1/submissions/{submission_id}/reopen": {"post"},
    "/api/v1/public/aggregates": {"get"},
    "/api/v1/public/periods": {"get"},
    "/api/v1/targets": {"get", "post"},
    "/api/v1/projects": {"get", "post"},
    "/api/v1/projects/{project_id}": {"get", "put"},
    "/api/v1/projects/{project_id}/tasks": {"post"},
    "/api/v1/projects/tasks/{task_id}": {"put"},
    "/api/v1/practices": {"get", "post"},
    "/api/v1/efficiency/models": {"get", "post"},
    "/api/v1/efficiency/models/{model_id}": {"get"},
    "/api/v1/result-sets": {"get", "post"},
    "/api/v1/jobs/{job_id}": {"get"},
    "/api/v1/processes": {"get"},
    "/api/v1/costing": {"get", "post"},
    "/api/v1/costing/allocation": {"post"},
    "/api/v1/audits": {"get", "post"},
    "/api/v1/audits/{audit_id}": {"get"},
    "/api/v1/audits/{audit_id}/state": {"post"},
    "/api/v1/audits/{audit_id}/checklist/{item}": {"put"},
    "/api/v1/audits/{audit_id}/findings": {"post"},
    "/api/v1/findings": {"get"},
    "/api/v1/findings/{finding_id}": {"get", "put"},
    "/api/v1/findings/{finding_id}/state": {"post"},
    "/api/v1/risks": {"get", "post"},
    "/api/v1/risks/{risk_id}": {"get", "put"},
    "/api/v1/indices": {"get"},
    "/api/v1/indices/{code}/results": {"get"},
}


def test_it_serves_a_schema_listing_every_path():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS


def test_it_declares_bearer_and_session_authentication():
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert "security" not in schema["paths"]["/api/v1/public/aggregates"]["get"]
    assert "security" in schema["paths"]["/api/v1/values"]["post"]


def test_it_declares_the_error_answers_of_writes():
    responses = (
        Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/values"]["post"]["responses"]
    )
    assert {"200", "401", "403", "409", "422"} <= set(responses)


def test_it_declares_both_shapes_of_a_409_on_writing_values():
    schema = Client().get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/values"]["post"]
    shapes = post["responses"]["409"]["content"]["application/json"]["schema"]["anyOf"]
    assert [s["$ref"].rsplit("/", 1)[1] for s in shapes] == ["ValuesConflictOut", "ValuesLockedOut"]
    assert "`locked`" in post["description"]


def test_it_declares_the_answers_of_the_workflow_actions():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for action in ("submit", "return", "accept", "reopen"):
        responses = paths[f"/api/v1/submissions/{{submission_id}}/{action}"]["post"]["responses"]
        assert {"200", "401", "403", "404", "409"} <= set(responses), action
        description = paths[f"/api/v1/submissions/{{submission_id}}/{action}"]["post"]
        assert (
            "404 when the submission does not exist or belongs to a unit you may not see"
            in (description["description"])
        )
    blocked = paths["/api/v1/submissions/{submission_id}/submit"]["post"]["responses"]["422"]
    assert blocked["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SubmissionBlockedOut"
    )


# ninja renders its docs from its own templates and static files only when "ninja" is an
# installed app; otherwise it falls back to a page that loads Swagger UI from a CDN.
@modify_settings(INSTALLED_APPS={"append": "ninja"})
def test_it_serves_the_docs_page_and_its_assets_locally():
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    asset = client.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200
