"""`miarka partnerships`: a steward records and edits partnerships and gives their stewards keys.

The files are the API's bodies (POST and PATCH /api/v1/partnerships) written as TOML or JSON,
checked by the same Structs and domain functions, so the command refuses what the API refuses
(a member that is not a gmina or powiat in force, an example not named so) with the same words.
"""

from pathlib import Path
from typing import Annotated, Any, TypeVar

import msgspec
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.errors import MiarkaError
from domains.partnerships.keys import create_partnership_key, revoke_partnership_key
from domains.partnerships.queries import (
    create_partnership,
    get_summary,
    list_partnerships,
    update_partnership,
)
from schemas.partnerships import PartnershipIn, PartnershipOut, PartnershipPatch
from service.cli.common import console, run_async, settings_from_env, with_engine
from service.migrate import upgrade

partnerships_app = typer.Typer(
    help="Partnerships of local governments: record, edit, list; stewards' keys.",
    no_args_is_help=True,
)
S = TypeVar("S", bound=msgspec.Struct)
FileArg = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, help="The body as TOML (.toml) or JSON"),
]


def read_body(path: Path, kind: type[S]) -> S:
    """The file as the API's body; exit 2 naming the file and the field when it is not one."""
    raw = path.read_bytes()
    try:
        if path.suffix == ".toml":
            return msgspec.toml.decode(raw, type=kind)
        return msgspec.json.decode(raw, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        console.print(f"[red]{path.name}:[/] {exc}")
        raise typer.Exit(2) from exc


def _run(work: Any) -> Any:  # noqa: ANN401 - the work's result
    """Run `work(conn)` in one transaction; a refusal prints its problem and exits 2."""
    settings = settings_from_env()

    async def go(engine: AsyncEngine) -> Any:  # noqa: ANN401 - the work's result
        await upgrade(str(settings.database_url))
        async with engine.begin() as conn:
            return await work(conn)

    try:
        return run_async(with_engine(settings, go))
    except MiarkaError as exc:
        console.print(f"[red]refused ({exc.slug}):[/] {exc}")
        raise typer.Exit(2) from exc


def _print(partnership: PartnershipOut) -> None:
    sourced = partnership.source_url or "no public source cited: not presented as fact"
    console.print(f"[bold]{partnership.id}[/] {partnership.name} ({partnership.kind_name})")
    console.print(f"membership source: {sourced}")
    for m in partnership.members:
        left = f" to {m.left_on}" if m.left_on else ""
        console.print(f"  {m.teryt} {m.name} ({m.level}) from {m.joined_on}{left}")


@partnerships_app.command("create")
def create_command(path: FileArg) -> None:
    """Record a partnership from FILE (the body of POST /api/v1/partnerships)."""
    body = read_body(path, PartnershipIn)
    _print(_run(lambda conn: create_partnership(conn, body)))


@partnerships_app.command("edit")
def edit_command(
    partnership_id: Annotated[str, typer.Argument(help="The partnership's id")], path: FileArg
) -> None:
    """Edit a partnership from FILE (the body of PATCH /api/v1/partnerships/{id})."""
    body = read_body(path, PartnershipPatch)
    _print(_run(lambda conn: update_partnership(conn, partnership_id, body)))


@partnerships_app.command("list")
def list_command() -> None:
    """Every recorded partnership."""
    listing = _run(lambda conn: list_partnerships(conn, "pl"))
    table = Table(title="Partnerships")
    for column in ("id", "name", "kind", "members", "source", "example"):
        table.add_column(column, overflow="fold")
    for p in listing.items:
        table.add_row(
            p.id,
            p.name,
            p.kind,
            str(p.members_in_force),
            "cited" if p.membership_sourced else "none",
            "yes" if p.example else "",
        )
    Console().print(table)


@partnerships_app.command("key")
def key_command(
    partnership_id: Annotated[str, typer.Argument(help="The partnership's id")],
    name: Annotated[str, typer.Argument(help="Who the key is for")],
) -> None:
    """A key that enters this partnership's self-assessment and nothing else (shown once)."""

    async def work(conn: Any) -> str:  # noqa: ANN401 - an AsyncConnection
        await get_summary(conn, partnership_id, "pl")  # unknown id: refused, exit 2
        return await create_partnership_key(conn, partnership_id, name)

    try:
        key = _run(work)
    except IntegrityError as exc:
        console.print(f"[red]a key named {name!r} exists already[/]")
        raise typer.Exit(1) from exc
    console.print(f"key of [bold]{partnership_id}[/] for [bold]{name}[/] (shown once):")
    Console().print(key)


@partnerships_app.command("revoke-key")
def revoke_key_command(name: Annotated[str, typer.Argument(help="The key's name")]) -> None:
    """Revoke a steward's key by name: it no longer enters any self-assessment."""
    if not _run(lambda conn: revoke_partnership_key(conn, name)):
        console.print(f"[red]no active steward key named {name!r}[/]")
        raise typer.Exit(1)
    console.print(f"steward key {name!r} revoked")
