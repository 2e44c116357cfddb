"""The web app factory: ``create_app(settings) -> FastAPI``.

Nothing is built at import. ``create_app`` wires templates, error mapping, middleware,
the app-wide origin and CSRF guard (auth.py), the rate limiters and routes; the lifespan
handler opens the editorial repository, the accounts on the same database and the
engine pool (if the corpus is not ingested yet the app still serves stored answers and
pages, and asking answers 503 with a message naming the fix).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from curbside.accounts import Accounts, Passwords
from curbside.editorial import EditorialRepository
from curbside.errors import CurbsideError
from curbside.ports import AnswerEngine
from curbside.settings import Settings
from curbside.web import (
    auth,
    errors,
    routes_account,
    routes_admin,
    routes_api,
    routes_docs,
    routes_library,
    routes_pages,
    routes_review,
)
from curbside.web.middleware import BodyLimitMiddleware, HeadAsGetMiddleware, SecurityHeadersMiddleware
from curbside.web.ratelimit import RateLimiter
from curbside.web.render import STATIC_DIR, make_templates
from curbside.web.service import AnswerService, EngineFactory, EnginePool

log = logging.getLogger("curbside.web")

DESCRIPTION = """Cited, sectioned answers to clinical questions, composed from public sources
(FDA drug labels, guideline summaries, PubMed abstracts, NIH consumer pages) by retrieval and
verbatim sentence selection, with a Medical Advisory Board review workflow.
Every error has the shape `{"error": {"status", "code", "message"}}`."""


def _open_engine(settings: Settings) -> AnswerEngine:
    from curbside.engine import Engine

    return Engine.open(settings)


def create_app(settings: Settings | None = None, *, engine_factory: EngineFactory | None = None,
               engines: int = 2, passwords: Passwords | None = None) -> FastAPI:
    """Build the app. ``engines`` independent engines serve answers concurrently (each
    used by one request at a time); ``engine_factory`` replaces ``Engine.open`` and
    ``passwords`` the argon2 parameters in tests."""
    cfg = settings or Settings.from_env()
    factory = engine_factory or _open_engine

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        repo = EditorialRepository.open(cfg.database_url, cfg.data_dir)
        app.state.accounts = Accounts.open(repo.db, session_hours=cfg.session_hours,
                                           login_max_failures=cfg.login_max_failures, passwords=passwords)
        pool: EnginePool | None = None
        problem: CurbsideError | None = None
        try:
            pool = EnginePool([factory(cfg) for _ in range(max(1, engines))])
        except CurbsideError as e:
            problem = e
            log.warning("answer engine unavailable: %s", e)
        app.state.service = AnswerService(cfg, repo, pool, problem)
        app.state.service.reads.start()  # page reads flushed every 30 s and at shutdown (reads.py)
        try:
            yield
        finally:
            app.state.service.close()

    from curbside import __version__

    app = FastAPI(
        title="curbside", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
        dependencies=[Depends(auth.guard)],  # every unsafe request: origin and CSRF checks
    )
    app.state.settings = cfg
    app.state.templates = make_templates()
    app.state.ask_limiter = RateLimiter(cfg.ask_rate_per_minute, cfg.ask_burst)  # per instance
    app.state.refusal_log_limiter = RateLimiter(auth.REFUSALS_LOGGED_PER_MINUTE, auth.REFUSALS_LOGGED_PER_MINUTE)
    errors.install(app)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(auth.CsrfCookieMiddleware)  # outermost: sees the state every layer writes
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(routes_api.router)
    app.include_router(routes_admin.api_router)
    app.include_router(routes_pages.router)
    app.include_router(routes_library.router)
    app.include_router(routes_account.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_review.pages)
    app.include_router(routes_review.api)
    app.include_router(routes_docs.router)
    return app
