"""``omnicx fake-provider``: the recording SMS/WhatsApp provider, as a process.

Registered on the main group by ``cli.py`` (``cli_fake_provider.register(cli)``).
"""

from __future__ import annotations

import json
import threading

import click


@click.command("fake-provider")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on."
)
@click.option(
    "--port",
    envvar="OMNICX_FAKE_PROVIDER_PORT",
    type=int,
    default=0,
    show_default=True,
    help="TCP port (0: any free port).",
)
@click.option(
    "--fail-first", type=int, default=0, help="Answer 503 to the first N POSTs."
)
@click.option("--secret", help="Check X-OmniCX-Signature against this secret.")
def fake_provider(host: str, port: int, fail_first: int, secret: str | None) -> None:
    """Run a recording provider webhook; print each message received as JSON.

    Point OMNICX_SMS_WEBHOOK_URL at the printed URL. GET /messages lists what
    arrived; Ctrl-C stops it.
    """
    from omnicx.channels import FakeProvider

    def show(message: dict) -> None:
        click.echo(json.dumps(message, ensure_ascii=False), nl=True)

    provider = FakeProvider(fail_first=fail_first, secret=secret, on_message=show)
    try:
        url = provider.start(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    click.echo(f"fake provider listening at {url}", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop()


def register(cli: click.Group) -> None:
    """Add ``fake-provider`` to the ``omnicx`` command group."""
    cli.add_command(fake_provider)
