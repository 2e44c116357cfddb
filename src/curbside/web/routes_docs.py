"""/docs: the API reference rendered on the server from the app's own OpenAPI schema
(FastAPI's Swagger UI loads its JS and CSS from a CDN, which an offline machine cannot
reach). The raw schema is at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
_METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {})
    return node if isinstance(node, dict) else {}


def _type(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def endpoints(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                {"name": p["name"], "where": p["in"], "required": p.get("required", False),
                 "type": _type(p.get("schema", {})), "description": p.get("description", "")}
                for p in op.get("parameters", [])
            ]
            body = []
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                model = _resolve(content.get("schema", {}), spec)
                required = set(model.get("required", []))
                for name, prop in model.get("properties", {}).items():
                    body.append({"name": name, "required": name in required, "type": _type(prop),
                                 "description": prop.get("description", "")})
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tag": (op.get("tags") or ["other"])[0],
                "params": params, "body": body,
                "responses": [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()],
                "anchor": f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
            })
    return out


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    return request.app.state.templates.TemplateResponse(
        request, "docs.html", {"spec": spec, "endpoints": endpoints(spec)}
    )
