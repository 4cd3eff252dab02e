"""Commands of the web app: ``serve``, and ``token`` to give and take write access."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nkwatch.cli.app import app, console, err_console, print_json, settings

token_app = typer.Typer(help="Tokens: who may review and ingest through the web app and API.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(token_app, name="token")


def is_loopback(host: str) -> bool:
    """Return True when ``host`` is a loopback name or address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8321,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback --host; every request then needs a token.",
        ),
    ] = False,
) -> None:
    """Serve the web app and the JSON API (search, events, review, timeline, map) from the
    store; on 127.0.0.1 by default."""
    try:
        import uvicorn

        from nkwatch.web.app import create_app
    except ImportError as exc:
        raise typer.BadParameter(
            f"the web app is not installed ({exc.name}): pip install 'nkwatch[web]'"
        ) from None
    remote = not is_loopback(host)
    if remote and not allow_remote:
        raise typer.BadParameter(
            f"{host} is not a loopback address: add --allow-remote (every request will then "
            "need a token; make one with `nkwatch token create`)",
            param_hint="--host",
        )
    cfg = settings(ctx)
    web = create_app(cfg.db, remote=remote)
    if remote:
        with cfg.open_store() as store:
            if not any(t["revoked_at"] is None for t in store.list_tokens()):
                err_console.print("no token exists yet: make one with `nkwatch token create`")
    err_console.print(f"nkwatch on http://{host}:{port}/ (API: /api/, docs: /api/docs)")
    uvicorn.run(web, host=host, port=port, log_level="warning" if cfg.quiet else "info")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who uses it (a reviewer, a client).")],
) -> None:
    """Create a token and print it once: only its hash is stored."""
    with settings(ctx).open_store() as store:
        token = store.create_token(name)
    err_console.print(f"token for {escape(name)} (shown once; keep it secret):")
    console.print(token, soft_wrap=True)


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the tokens' names and dates (never the tokens)."""
    with settings(ctx).open_store() as store:
        tokens = store.list_tokens()
    if as_json:
        print_json(tokens)
        return
    table = Table("name", "created", "revoked")
    for t in tokens:
        table.add_row(escape(t["name"]), t["created_at"], t["revoked_at"] or "")
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The token's name.")]
) -> None:
    """Revoke a token: it stops working at once, sessions made with it included."""
    with settings(ctx).open_store() as store:
        store.revoke_token(name)
    err_console.print(f"revoked the token of {escape(name)}")
