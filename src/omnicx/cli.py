"""Command line: ``omnicx serve | demo | import | workspace``.

Every option is also an ``OMNICX_<NAME>`` environment variable (see ``settings.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from omnicx.errors import OmnicxError
from omnicx.settings import SETTINGS, Settings, load_settings

console = Console(stderr=True)


def _settings(**overrides: Any) -> Settings:
    return load_settings(overrides)


def _fail(exc: OmnicxError) -> None:
    console.print(f"[red]error:[/red] {exc}")
    sys.exit(1)


data_option = click.option(
    "--data", envvar="OMNICX_DATA", help="Data folder (created if missing)."
)


@click.group(help=__doc__)
@click.version_option(package_name="omnicx")
def cli() -> None:
    pass


@cli.command()
@data_option
@click.option("--host", envvar="OMNICX_HOST", help="Interface to listen on.")
@click.option("--port", envvar="OMNICX_PORT", type=int, help="TCP port.")
def serve(data: str | None, host: str | None, port: int | None) -> None:
    """Serve ingest, API and dashboard from the data folder."""
    from omnicx.runtime import Runtime
    from omnicx.server import serve_forever

    try:
        settings = _settings(data=data, host=host, port=port)
        runtime = Runtime.open(settings)
    except OmnicxError as exc:
        _fail(exc)
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"OmniCX serving {settings.data_dir} at [bold]{url}[/bold]")
    try:
        serve_forever(runtime, settings.host, int(settings.port))
    finally:
        runtime.close()


@cli.group()
def workspace() -> None:
    """Create and list workspaces."""


@workspace.command("create")
@data_option
@click.option("--name", required=True, help="Workspace name (unique).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def workspace_create(data: str | None, name: str, as_json: bool) -> None:
    """Create a workspace with a default source; print its write key and admin token."""
    from omnicx.storage import StateStore

    settings = _settings(data=data)
    try:
        created = StateStore.in_folder(settings.data_dir).create_workspace(name)
    except OmnicxError as exc:
        _fail(exc)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "workspace": created.workspace.name,
                    "write_key": created.source.write_key,
                    "admin_token": created.admin_token,
                }
            )
        )
        return
    click.echo(f"workspace:   {created.workspace.name} ({created.workspace.id})")
    click.echo(f"write key:   {created.source.write_key}")
    click.echo(f"admin token: {created.admin_token}")


@workspace.command("list")
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def workspace_list(data: str | None, as_json: bool) -> None:
    """List workspaces and their sources' write keys."""
    from omnicx.storage import StateStore

    state = StateStore.in_folder(_settings(data=data).data_dir)
    rows = [
        {
            "workspace": w.name,
            "id": w.id,
            "write_keys": [s.write_key for s in state.sources(w.id)],
        }
        for w in state.workspaces()
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{row['workspace']}\t{row['id']}\t{' '.join(row['write_keys'])}")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@data_option
@click.option("--workspace", "workspace_name", required=True, help="Workspace name.")
@click.option("--channel", help="Channel for messages that do not name one.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(
    file: Path,
    data: str | None,
    workspace_name: str,
    channel: str | None,
    as_json: bool,
) -> None:
    """Import Segment-shaped JSONL or CSV through validation and identity."""
    from omnicx.cli_import import run_import

    try:
        summary = run_import(
            _settings(data=data), file, workspace_name, channel, _progress()
        )
    except OmnicxError as exc:
        _fail(exc)
    result = summary.as_dict()
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(
            f"{result['lines']:,} lines: {result['accepted']:,} accepted, "
            f"{result['rejected']:,} rejected"
        )
        for reason, count in list(result["reasons"].items())[:10]:
            click.echo(f"  {count:>7,} × {reason}")
        for example in result["examples"][:5]:
            click.echo(
                f"  line {example['line']}: {example['field']}: {example['message']}"
            )
    sys.exit(0 if result["accepted"] or not result["lines"] else 1)


@cli.command()
@data_option
@click.option("--customers", type=int, default=5000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--host", envvar="OMNICX_HOST", help="Interface to listen on.")
@click.option("--port", envvar="OMNICX_PORT", type=int, help="TCP port.")
@click.option("--no-serve", is_flag=True, help="Load the data, then exit.")
def demo(
    data: str | None,
    customers: int,
    seed: int,
    host: str | None,
    port: int | None,
    no_serve: bool,
) -> None:
    """Generate an omnichannel retail business, send it through ingest, serve it."""
    from omnicx.demo.loader import run_demo

    settings = _settings(data=data or "./demo-data", host=host, port=port)
    try:
        run_demo(settings, customers, seed, serve=not no_serve, console=console)
    except OmnicxError as exc:
        _fail(exc)


@cli.command()
@click.argument("name")
@data_option
@click.option("--workspace", "workspace_name", required=True, help="Workspace name.")
@click.option("--query", "query_json", help="The query as a JSON object.")
@click.option("--from", "start", help="Start of the time range (ISO-8601).")
@click.option("--to", "end", help="End of the time range (ISO-8601).")
@click.option("--channel", "channels", multiple=True, help="Only these channels.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def report(
    name: str,
    data: str | None,
    workspace_name: str,
    query_json: str | None,
    start: str | None,
    end: str | None,
    channels: tuple[str, ...],
    as_json: bool,
) -> None:
    """Run a journey analysis (funnel, paths, attribution, ...) and print it."""
    from omnicx.cli_report import run_report

    try:
        raw = json.loads(query_json) if query_json else {}
    except ValueError as exc:
        console.print(f"[red]error:[/red] --query is not valid JSON: {exc}")
        sys.exit(2)
    if not isinstance(raw, dict):
        console.print("[red]error:[/red] --query must be a JSON object")
        sys.exit(2)
    for key, value in (("from", start), ("to", end)):
        if value:
            raw[key] = value
    if channels:
        raw["channels"] = list(channels)
    try:
        result = run_report(_settings(data=data), name, workspace_name, raw)
    except OmnicxError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result))
    else:
        console.print_json(json.dumps(result))


@cli.command("settings")
def settings_command() -> None:
    """List every setting with its environment variable and default."""
    for setting in SETTINGS:
        click.echo(f"{setting.env_var:<28} {setting.default!r:<20} {setting.help}")


def _register_commands() -> None:
    from omnicx import cli_fake_provider

    cli_fake_provider.register(cli)


_register_commands()


def main() -> None:
    cli(prog_name="omnicx")
