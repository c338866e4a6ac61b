"""The REST API under /api/v1/ (contracts.md, "REST API").

Endpoints live in one module per resource (catalogue, units, results, values, cycles,
submissions, public, computations: result sets and jobs);
this module assembles them and turns every error into JSON `{"detail": ...}` with the
right status code, so that no bad input ever ends as an HTML page or a 500.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError

from miara.api import (
    assurance,
    catalogue,
    computations,
    context,
    cycles,
    efficiency,
    indices,
    practices,
    processes,
    projects,
    public,
    results,
    submissions,
    targets,
    units,
    values,
)
from miara.api.auth import protected
from miara.api.schemas import NO_CONTROL, PERIOD_REGEX

logger = logging.getLogger(__name__)


class MiaraAPI(NinjaAPI):
    """NinjaAPI whose 405 answers are JSON like every other error (ninja's are plain text),
    and whose schema states the 400 that any operation answers to a NUL character in the
    request (miara.web.middleware.NulGuardMiddleware refuses it before the operation runs).
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        bad_request = {
            "description": "Bad Request: the request contains a NUL character",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("400", bad_request)
        return schema

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _json_not_allowed(pattern.callback)
        return urls


def _json_not_allowed(view):
    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, for sessions only
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            answer = _detail(request, 405, f"{request.method} is not allowed here; use {allowed}")
            answer["Allow"] = allowed
            return answer
        return response

    return wrapper


api = MiaraAPI(
    title="miara API",
    version="1",
    urls_namespace="api",
    description=(
        "Benchmarking data of local governments. Authenticate with "
        "`Authorization: Bearer <token>` (from `miara token create` or your profile page) "
        "or with your browser session. Catalogue and public aggregates need no "
        'authentication. Errors are JSON `{"detail": ...}`.'
    ),
    auth=protected,
)
api.add_router("/catalogue", catalogue.router)
api.add_router("/units", units.router)
api.add_router("/results", results.router)
api.add_router("/context", context.router)
api.add_router("/values", values.router)
api.add_router("/cycles", cycles.router)
api.add_router("/submissions", submissions.router)
api.add_router("/public", public.router)
api.add_router("/targets", targets.router)
api.add_router("/indices", indices.router)
api.add_router("/projects", projects.router)
api.add_router("/efficiency", efficiency.router)
api.add_router("/practices", practices.router)
api.add_router("", computations.router)  # /result-sets and /jobs/{id}
api.add_router("", processes.router)  # /processes and /costing
api.add_router("", assurance.router)  # /audits, /findings and /risks


# Added last so that it only catches addresses no endpoint has: a typo in a script gets
# a JSON 404, not the HTML page meant for browsers.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", include_in_schema=False
)
def no_such_endpoint(request, path: str):
    raise Http404(f"there is no endpoint /api/v1/{path}; see /api/v1/docs")


api.add_router("", fallback)


def _detail(request, status: int, detail):
    return api.create_response(request, {"detail": detail}, status=status)


def _field_of(location: tuple) -> tuple[int | None, str]:
    """("body", "payload", "values", 3, "value") -> (3, "value"); ("query", "limit") -> (None, "limit")."""
    parts = list(location[1:])  # drop the source (body, query, ...)
    if parts and parts[0] == "payload":
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] == "values" and isinstance(parts[1], int):
        return parts[1], ".".join(str(p) for p in parts[2:]) or "values"
    if location and location[0] == "query" and parts and isinstance(parts[-1], int):
        # A repeatable parameter (?period=2024&period=2025): name the parameter.
        parts = parts[:-1]
    return None, ".".join(str(p) for p in parts) or str(location[0])


def _message(error: dict) -> str:
    """Pydantic's message, in words a client can act on where it names a regex."""
    if error.get("type") == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        if pattern == PERIOD_REGEX:
            given = f"{error['input']!r} " if "input" in error else "this "
            return f"{given}is not a period; write 2024, 2024-Q1 or 2024-03"
        if pattern == NO_CONTROL:
            return "a code may not contain control characters"
        return "NUL characters are not allowed in text"
    return error.get("msg", "invalid")


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        index, field = _field_of(tuple(error.get("loc", ())))
        errors.append({"index": index, "field": field, "message": _message(error)})
    return _detail(request, 422, errors)


@api.exception_handler(values.ItemErrors)
@api.exception_handler(cycles.CycleInputErrors)
@api.exception_handler(submissions.NoteErrors)
@api.exception_handler(computations.ComputeInputError)
@api.exception_handler(processes.CostingInputErrors)
def on_item_errors(
    request,
    exc: values.ItemErrors
    | cycles.CycleInputErrors
    | submissions.NoteErrors
    | computations.ComputeInputError
    | processes.CostingInputErrors,
):
    return _detail(request, 422, exc.errors)


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _detail(request, 404, str(exc) or "not found")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return _detail(request, 403, str(exc) or "you may not do this")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc: RequestDataTooBig):
    return _detail(request, 413, "the request is too large; send fewer values at a time")


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc: SuspiciousOperation):
    return _detail(request, 400, "the request cannot be processed")


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    # A bug, not bad input: log it with its traceback, answer JSON like every other error.
    logger.exception("API error on %s %s", request.method, request.path)
    return _detail(request, 500, "internal error; it has been logged")
