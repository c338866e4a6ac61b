"""Bob edits unit A1. Through no page, export or endpoint may he read or change unit B2's
unsubmitted data. Every route of the project is enumerated, so a route added later is
checked too (and a new kind of path parameter fails the test until it is described here).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from miara.accounts.models import ApiToken
from miara.accounts.services import token_create
from miara.analytics.models import SavedComparison
from miara.api.api import api
from miara.collection.models import ReviewNote, Submission, SubmissionEvent, Value
from miara.testing.cycles import cycle_2024

pytestmark = pytest.mark.django_db

SECRET_VALUE = "987654.321"
SECRET_COMMENT = "B2-unsubmitted-secret"
# What would give B2 away: its name, its unsubmitted number (in any formatting) and comment.
MARKERS = ("Beta", "987654", "987 654", "987\u00a0654", "987,654", SECRET_COMMENT)
# Answers that reveal nothing. 200 (and a redirect after a POST) is allowed only when the
# body carries no marker and, checked at the end, nothing of B2's changed.
REFUSED = {400, 401, 403, 404, 405, 409, 422}
# Routes anyone may open by design: they carry no unit's data.
PUBLIC = {
    "i18n/setlang/",
    "",
    "login/",
    "logout/",
    "catalogue/",
    "/api/v1/catalogue/areas",
    "/api/v1/catalogue/variables",
    "/api/v1/catalogue/indicators",
    "/api/v1/catalogue/groups",
    "/api/v1/public/aggregates",
}


@pytest.fixture
def world(programme, alice, bob, carol, settings, tmp_path, monkeypatch):
    import polars as pl
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from miara.collection.services import values_save
    from miara.presentation.vega import bundle_version
    from miara.reports import runner
    from miara.reports.services import report_job_create
    from miara.units.models import Unit

    settings.REPORTS_IN_BACKGROUND = False
    monkeypatch.setenv("MIARA_VAR_DIR", str(tmp_path / "var"))

    cycle = cycle_2024(alice, ["WASTE_T", "RECYCLED_T"])
    frame = pl.DataFrame(
        {
            "unit": ["B2"],
            "variable": ["WASTE_T"],
            "period": ["2024"],
            "value": [SECRET_VALUE],
            "comment": [SECRET_COMMENT],
            "__line": [1],
        }
    )
    values_save(acting_user=carol, rows=frame, channel="form", source="test")
    token_create(user=carol)
    saved = SavedComparison.objects.create(
        owner=carol, name="B2's own", units=["B2"], indicators=["WASTE_PC"], period="2024"
    )
    # Carol's report of B2, built, so that there is a file to (fail to) download.
    job = report_job_create(
        user=carol,
        kind="unit",
        unit=Unit.objects.get(code="B2"),
        period="2024",
        group="all",
        language="en",
        fmt="xlsx",
    )
    runner.run_pending()
    # B2's process map, whose pages and downloads name it.
    from miara.accounts.scope import OPERATOR
    from miara.processes.services import processes_load

    process_map = tmp_path / "map.csv"
    process_map.write_text("code,name,owner\nPERMIT,Permits of Beta,BUILD\n", encoding="utf-8")
    processes_load(path=process_map, unit_code="B2", acting_user=OPERATOR)
    # B2's improvement project, not shared, with a task: named after the secret.
    import datetime

    from miara.improvement.services import (
        ProjectData,
        milestone_create,
        project_create,
        task_create,
    )

    project = project_create(
        acting_user=OPERATOR,
        unit_code="B2",
        data=ProjectData(
            title=SECRET_COMMENT,
            start_date=datetime.date(2024, 1, 1),
            due_date=datetime.date(2025, 1, 1),
            indicators=["WASTE_PC"],
        ),
    )
    task = task_create(acting_user=OPERATOR, project_id=project.pk, title=SECRET_COMMENT)
    milestone = milestone_create(
        acting_user=OPERATOR,
        project_id=project.pk,
        title=SECRET_COMMENT,
        due_date=datetime.date(2024, 6, 1),
    )
    # B2's audit (with an answered item and its evidence), finding and risk: named after
    # the secret.
    from miara.assurance import services as assurance

    audit = assurance.audit_create(
        acting_user=OPERATOR,
        unit_code="B2",
        year=2024,
        data=assurance.AuditData(
            title=SECRET_COMMENT,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2024, 1, 2),
            templates=["QUALITY"],
        ),
    )
    item = assurance.checklist_items(audit).first()
    answer = assurance.answer_set(
        acting_user=OPERATOR,
        audit_id=audit.pk,
        item_id=item.pk,
        answer="partly",
        note=SECRET_COMMENT,
    )
    attachment = assurance.attachment_add(
        acting_user=OPERATOR,
        audit_id=audit.pk,
        name="Beta.pdf",
        data=b"%PDF-1.4\n" + SECRET_COMMENT.encode() + b"\n%%EOF\n",
        answer_id=answer.pk,
    )
    finding = assurance.finding_create(
        acting_user=OPERATOR,
        audit_id=audit.pk,
        data=assurance.FindingData(title=SECRET_COMMENT, severity="major"),
    )
    risk = assurance.risk_create(
        acting_user=OPERATOR, unit_code="B2", data=assurance.RiskData(SECRET_COMMENT, 3, 3)
    )
    # B2's draft good practice, written by its editor: named after the secret.
    from miara.practices.services import PracticeData, practice_create

    practice = practice_create(
        acting_user=carol,
        unit_code="B2",
        data=PracticeData(
            title=SECRET_COMMENT, started_on=datetime.date(2024, 1, 1), problem=SECRET_COMMENT
        ),
    )
    # An efficiency model over the period (B2's draft must not feed it) and B2's page in it.
    from miara.efficiency.services import model_create

    efficiency = model_create(
        acting_user=alice, name="Waste", inputs=["WASTE_T"], outputs=["RECYCLED_T"], period="2024"
    )
    return {
        "audit_id": audit.pk,
        "practice_id": practice.pk,
        "item_id": item.pk,
        "item": item.code,
        "attachment_id": attachment.pk,
        "finding_id": finding.pk,
        "risk_id": risk.pk,
        "code": "B2",
        "unit_code": "B2",
        "pk": efficiency.pk,
        "model_id": efficiency.pk,
        "key": "B2",
        "cycle_id": cycle.pk,
        "submission_id": Submission.objects.get(cycle=cycle, unit__code="B2").pk,
        "variable_code": "WASTE_T",
        "variable": "WASTE_T",
        "period": "2024",
        "token_id": ApiToken.objects.get(user=carol).pk,
        "saved_id": saved.pk,
        "job_id": job.pk,
        "project_id": project.pk,
        "task_id": task.pk,
        "milestone_id": milestone.pk,
        "what": "projects",
        "fmt": "csv",
        "process": "PERMIT",
        "version": bundle_version(),
        # Carol's account (user management) and a live link to set her password.
        "user_id": carol.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(carol.pk)),
        "token": default_token_generator.make_token(carol),
    }


def django_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return [r for r in walk(get_resolver().url_patterns) if not r.startswith(("admin/", "api/v1/"))]


def fill(route: str, params: dict) -> str:
    def value(match):
        name = match.group(1)
        assert name in params, f"route {route!r} has a parameter {name!r}: describe it in world()"
        return str(params[name])

    return re.sub(
        r"<(?:\w+:)?(\w+)>|\{(\w+)\}",
        lambda m: value(re.match(r"(\w+)", m.group(1) or m.group(2))),
        route,
    )


STATUSES: dict[str, int] = {}


def assert_nothing_leaks(response, what: str) -> None:
    STATUSES[what] = response.status_code
    if response.status_code in REFUSED:
        return
    body = response.content.decode(errors="replace")
    for marker in MARKERS:
        assert marker not in body, f"{what} answered {response.status_code} with {marker!r}"


def assert_b2_unchanged(before: dict) -> None:
    value = Value.objects.get(unit__code="B2", variable__code="WASTE_T", period="2024")
    assert (value.value, value.comment, value.version) == before["value"]
    assert Submission.objects.get(pk=before["submission_id"]).state == "draft"
    assert not ReviewNote.objects.exists() and not SubmissionEvent.objects.exists()
    assert ApiToken.objects.filter(pk=before["token_id"]).exists()
    from miara.assurance.models import Audit, ChecklistAnswer, Finding, Risk

    assert Audit.objects.get(pk=before["audit_id"]).version == 1
    assert ChecklistAnswer.objects.get(audit_id=before["audit_id"]).version == 1
    assert Finding.objects.get(pk=before["finding_id"]).version == 1
    assert Risk.objects.get(pk=before["risk_id"]).version == 1


def snapshot(world) -> dict:
    value = Value.objects.get(unit__code="B2", variable__code="WASTE_T", period="2024")
    return {**world, "value": (value.value, value.comment, value.version)}


def test_bob_cannot_reach_b2_through_any_page(world, bob):
    before = snapshot(world)
    client = Client()
    client.force_login(bob)
    routes = django_routes()
    assert len(routes) >= 25
    post = {
        "value": "1",
        "comment": "x",
        "WASTE_T": "1",
        "value-WASTE_T": "1",
        "comment-WASTE_T": "x",
        "version": "1",
        "reason": "x",
        "language": "en",
    }
    for route in routes:
        url = "/" + fill(route, world)
        assert_nothing_leaks(client.get(url), f"GET {url}")
        if route not in PUBLIC:
            assert_nothing_leaks(client.post(url, post), f"POST {url}")
        for query in ("?unit=B2", "?period=2024&group=all&unit=B2"):
            assert_nothing_leaks(client.get(url + query), f"GET {url}{query}")
    assert_b2_unchanged(before)
    # The parameters really name B2's things: these answers prove the routes were reached.
    cycle, submission = world["cycle_id"], world["submission_id"]
    # A unit bob may not see answers as a missing one (404), so codes cannot be probed.
    assert STATUSES["GET /units/B2/benchmark/"] == 404
    assert STATUSES["GET /units/B2/similar/"] == 404
    assert STATUSES["GET /units/B2/similar.csv"] == 404
    assert STATUSES[f"POST /compare/saved/{world['saved_id']}/delete/"] == 404
    assert SavedComparison.objects.filter(pk=world["saved_id"]).exists()
    assert STATUSES[f"GET /collection/{cycle}/B2/"] == 404
    assert STATUSES[f"POST /collection/{cycle}/B2/field/"] == 404
    assert STATUSES[f"GET /collection/submissions/{submission}/review/"] == 403
    assert STATUSES["GET /collection/"] == 200
    job = world["job_id"]
    assert STATUSES["GET /units/B2/report/"] == 404
    assert STATUSES["POST /units/B2/report/"] == 404
    # Someone else's report job answers as a missing one would (ids are consecutive).
    assert STATUSES[f"GET /reports/jobs/{job}/"] == 404
    assert STATUSES[f"GET /reports/jobs/{job}/status.json"] == 404
    assert STATUSES[f"GET /reports/jobs/{job}/download/"] == 404
    assert STATUSES[f"GET /accounts/users/{world['user_id']}/"] == 404
    assert STATUSES[f"POST /accounts/users/{world['user_id']}/deactivate/"] == 404
    for path in (
        f"/audits/{world['audit_id']}/",
        f"/evidence/{world['attachment_id']}/",
        f"/findings/{world['finding_id']}/",
        f"/risks/{world['risk_id']}/",
        "/units/B2/audits/",
        "/units/B2/findings/",
        "/units/B2/risks/",
    ):
        assert STATUSES[f"GET {path}"] == 404, path
    # Indicator pages take the indicator's code in the path, so `code=B2` above only met a
    # 404: open each indicator's page and CSVs, from B2 (refused) and from bob's own unit.
    from miara.catalogue.models import Indicator

    for code in Indicator.objects.values_list("code", flat=True):
        for path in (f"/indicators/{code}/", f"/indicators/{code}.csv"):
            for query in ("", "?table=trend", "?group=CITIES", "?period=2023&group=LARGE"):
                assert_nothing_leaks(client.get(path + query), f"GET {path}{query}")
            assert client.get(path + "?unit=B2").status_code == 404
        assert STATUSES[f"GET /indicators/{code}/"] == 200
    assert_b2_unchanged(before)


def test_bob_cannot_reach_b2_through_any_endpoint(world, bob):
    before = snapshot(world)
    client = Client(headers={"authorization": f"Bearer {token_create(user=bob)}"})
    paths = api.get_openapi_schema()["paths"]
    assert len(paths) >= 15
    body = {
        "values": [{"unit": "B2", "variable": "WASTE_T", "period": "2024", "value": 1}],
        "comment": "x",
        "reason": "x",
        "notes": {"WASTE_T": "x"},
    }
    for path, operations in paths.items():
        url = fill(path, world)
        for method in operations:
            if method == "get":
                for query in (
                    "",
                    "?unit=B2",
                    "?unit=B2&period=2024&variable=WASTE_T",
                    "?period=2024&unit=B2&group=all",
                ):
                    assert_nothing_leaks(client.get(url + query), f"GET {url}{query}")
            elif path not in PUBLIC:
                assert_nothing_leaks(
                    client.post(url, body, content_type="application/json"), f"POST {url}"
                )
    assert_b2_unchanged(before)


def test_the_matrix_would_see_a_leak(world, carol):
    """The same checks flag B2's own editor, who does see the data: the markers are real."""
    client = Client()
    client.force_login(carol)
    response = client.get(f"/collection/{world['cycle_id']}/B2/")
    assert response.status_code == 200
    with pytest.raises(AssertionError):
        assert_nothing_leaks(response, "carol's own questionnaire")
