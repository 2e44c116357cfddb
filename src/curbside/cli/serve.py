"""`curbside serve`: the web app (HTML pages + JSON API) on 127.0.0.1."""

from __future__ import annotations

import click

from curbside.cli.errors import handle_errors
from curbside.settings import Settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--engines", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Independent answer engines serving requests in parallel (each holds its own indexes in memory).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.pass_context
@handle_errors
def command(ctx: click.Context, host: str, port: int, engines: int, log_level: str) -> None:
    """Serve the web app: ask page, article pages, editorial pages and the JSON API
    (reference at /docs, schema at /openapi.json)."""
    import uvicorn

    from curbside.engine import data_ready
    from curbside.web.app import create_app

    settings = Settings.from_env(**dict(ctx.obj or {}))
    if not data_ready(settings.data_dir):
        click.secho(
            f"Warning: no ingested corpus in {settings.data_dir}; stored answers are served but new questions "
            f"get 503. Run `curbside ingest` and restart.", fg="yellow", err=True,
        )
    click.echo(f"curbside serving http://{host}:{port}/ (data: {settings.data_dir}); Ctrl+C stops.", err=True)
    uvicorn.run(create_app(settings, engines=engines), host=host, port=port, log_level=log_level,
                access_log=log_level == "debug")
