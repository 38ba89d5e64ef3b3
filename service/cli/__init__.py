"""The `miarka` command: serve, migrate, load and sync sources, inspect load runs."""

import typer

from service.cli.admin_commands import db_app, keys_app, list_runs
from service.cli.load_commands import load_app
from service.cli.partnership_commands import partnerships_app
from service.cli.serve_command import serve
from service.cli.sync_commands import sync_app

app = typer.Typer(help="Miarka: public services of Polish local governments.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")
app.add_typer(sync_app, name="sync")
app.add_typer(keys_app, name="keys")
app.add_typer(partnerships_app, name="partnerships")
app.command("runs")(list_runs)
app.command("serve")(serve)


def main() -> None:
    app()
