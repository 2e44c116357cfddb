"""web stage: the FastAPI app (``web.app.create_app``).

app.py          factory, lifespan (engine pool + editorial repository), middleware, routers
service.py      AnswerService: answer (stored-answer fast path), audience variants, search, review
routes_api.py   JSON API under /api/v1 and /healthz
routes_pages.py server-rendered HTML pages (Jinja2, no build step)
routes_docs.py  /docs rendered from the OpenAPI schema (works offline)
render.py       article view model, templates environment (autoescaped)
errors.py       the one place errors become responses: {"error": {"status", "code", "message"}}
middleware.py   request body limit, security headers
"""
