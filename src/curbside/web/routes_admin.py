"""Admin: the audit log (a page, and an export as CSV or JSON) and accounts over the API.

Each route checks its permission first (auth.require: VIEW_AUDIT or MANAGE_USERS, which
only admins hold); a refusal is a 401/403 and a line in the audit log itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from curbside.accounts import Permission, Role, User
from curbside.accounts.clock import stamp
from curbside.editorial.audit import AuditLog, csv_lines, json_lines
from curbside.web import auth
from curbside.web.errors import WebError
from curbside.web.render import page as render_page
from curbside.web.routes_api import Text

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["admin"])
PAGE_SIZE = 50
OUTCOMES = ("ok", "refused")


def _audit(request: Request) -> AuditLog:
    return auth.accounts(request).audit


def _filter(value: str, name: str) -> str | None:
    value = value.strip()
    if len(value) > 100:
        raise WebError(400, "invalid_input", f"The {name} filter is longer than 100 characters.")
    return value or None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, outcome: str = "", actor: str = "", action: str = "",
               page: int = Query(1, ge=1, le=100_000)) -> HTMLResponse:
    """Newest first, 50 a page, filtered by outcome, actor and action (exact)."""
    auth.require(request, Permission.VIEW_AUDIT, action="audit.view")
    if outcome and outcome not in OUTCOMES:
        raise WebError(400, "invalid_input", f"Unknown outcome {outcome[:20]!r}; use ok or refused.")
    filters = {"outcome": outcome or None, "actor": _filter(actor, "actor"), "action": _filter(action, "action")}
    rows = _audit(request).entries(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, **filters)
    return render_page(  # type: ignore[no-any-return]
        request, "admin_audit.html",
        {"entries": rows[:PAGE_SIZE], "page": page, "more": len(rows) > PAGE_SIZE,
         "outcome": outcome, "actor": actor, "action": action, "outcomes": OUTCOMES},
        headers={"Cache-Control": "no-store"})


@api_router.get("/api/v1/audit", summary="Export the audit log",
                responses={401: {"description": "Not signed in"}, 403: {"description": "Not an admin"}})
def export_audit(request: Request, format: str = Query("csv", description="csv or json")  # noqa: A002
                 ) -> StreamingResponse:
    """Every audit-log entry, oldest first, as a CSV or JSON download (admins only).
    CSV cells that a spreadsheet would run as a formula are prefixed with a quote."""
    admin = auth.require(request, Permission.VIEW_AUDIT, action="audit.export")
    if format not in ("csv", "json"):
        raise WebError(400, "invalid_input", f"Unknown format {format[:20]!r}; use csv or json.")
    log = _audit(request)
    log.record(admin.actor(), "audit.export", detail=format, client=auth.client_address(request))
    name = f"curbside-audit-{stamp(auth.accounts(request).now()).replace(':', '')}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if format == "csv":
        return StreamingResponse(csv_lines(log.all()), media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(json_lines(log.all()), media_type="application/json", headers=headers)


# ---- accounts over the API (MANAGE_USERS) ----------------------------------------------
class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(description="2-40 lowercase letters, digits, dots, dashes or underscores.")
    display_name: Text = Field(description="Shown on approved answers, e.g. \"Dr A. Rivera\".")
    credentials: Text = Field("", description="Shown after the name, e.g. \"MD, neurology\".")
    role: Text = Field("reviewer", json_schema_extra={"enum": [r.value for r in Role]})
    password: Text = Field(description="At least 10 characters.")


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Text | None = Field(None, json_schema_extra={"enum": [r.value for r in Role]})
    display_name: Text | None = None
    credentials: Text | None = None
    disabled: bool | None = None


def _user_dict(u: User) -> dict[str, Any]:
    return {"username": u.username, "display_name": u.display_name, "credentials": u.credentials,
            "role": u.role.value, "disabled": u.disabled, "created": u.created, "updated": u.updated}


_manager = auth.requires(Permission.MANAGE_USERS, "user.manage")


@api_router.get("/api/v1/users", summary="List accounts")
def list_users(request: Request, admin: User = Depends(_manager)) -> dict[str, Any]:
    """Every account (admins only)."""
    return {"users": [_user_dict(u) for u in auth.accounts(request).users.list()]}


@api_router.post("/api/v1/users", summary="Add an account", status_code=201)
def add_user(body: NewUser, request: Request, admin: User = Depends(_manager)) -> dict[str, Any]:
    """Adds a reviewer, editor or admin (admins only)."""
    u = auth.accounts(request).users.add(body.username, body.password, display_name=body.display_name,
                                         credentials=body.credentials, role=body.role, by=admin.actor(),
                                         client=auth.client_address(request))
    return _user_dict(u)


@api_router.patch("/api/v1/users/{username}", summary="Change an account")
def change_user(username: str, body: UserChange, request: Request, admin: User = Depends(_manager)
                ) -> dict[str, Any]:
    """Role, name, credentials, disabled (admins only; an admin cannot disable or demote
    themselves, so there is always one left to undo a mistake). All or nothing: a bad
    value changes nothing."""
    users, client = auth.accounts(request).users, auth.client_address(request)
    target = users.require(username)
    if target.id == admin.id and (body.disabled or (body.role is not None and body.role != Role.ADMIN.value)):
        raise WebError(400, "invalid_input", "You cannot disable or demote your own account.",
                       fix="Ask another admin, or use `curbside users` on the server.")
    target = users.update(target.username, role=body.role, display_name=body.display_name,
                          credentials=body.credentials, disabled=body.disabled, by=admin.actor(), client=client)
    return _user_dict(target)
