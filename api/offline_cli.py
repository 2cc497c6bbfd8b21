"""The commands that need neither the service's settings nor its database: checking a dispute
pack, and a partner agency witnessing a ledger's log over HTTP. `python -m api` runs them
without loading the service (`api/__main__.py`): they start in about a seventh of a second
where the service's commands take over one, on an auditor's or a witness's machine that has
no ledger. `api/cli.py` lists them with the rest."""

from __future__ import annotations

import click

from api.pack_cli import verify_pack_command
from api.witness import new_witness_key, witness

OFFLINE_COMMANDS: tuple[click.Command, ...] = (verify_pack_command, witness, new_witness_key)


@click.group()
def offline() -> None:
    """vtr-ledger's offline commands."""


for _command in OFFLINE_COMMANDS:
    offline.add_command(_command)


def asks_for_offline(args: list[str]) -> bool:
    """Whether the command line names an offline command."""
    return bool(args) and args[0] in offline.commands
