"""`python -m api verify`, and the log's signing keys: making one, rotating to a new one."""

from __future__ import annotations

import base64
import getpass
import sys
from pathlib import Path
from uuid import uuid4

import click

from api.bootstrap import StartupError, open_worker_projections
from api.integrity import verify_ledger
from api.settings import Settings
from commands.clock import SystemClock
from events.integrity.keys import new_key_line, note_signers, read_key_lines, write_new_key_file
from events.integrity.note import SIG_ED25519, NoteError
from projections.verification import LogReport

# Exit codes: 0 intact, 1 a finding, 2 the check could not run (`cli.fail`).
NOT_INTACT = 1
SHOWN_FINDINGS = 20


@click.command()
def verify() -> None:
    """Check both logs end to end: every stored entry against its seal, every checkpoint's
    signature and every cosignature, and the sealing lag. Exits 1 if anything is wrong."""
    from api.cli import fail, load_settings, where  # the CLI's own helpers  # noqa: PLC0415

    settings = load_settings()
    try:
        # One scan at a time: a connection or two, however large the service's pools.
        projections = open_worker_projections(settings.model_copy(update={"pg_pool_size": 1}))
    except StartupError as error:
        fail(str(error))
    try:
        reports = verify_ledger(
            projections.sealing,
            settings,
            now=SystemClock().now,
            new_id=uuid4,
            actor_id=f"cli:{getpass.getuser()}",
            via="python -m api verify",
            progress=_progress if sys.stderr.isatty() else None,
        )
    except Exception as error:  # an outage mid-scan: say where, not a trace  # noqa: BLE001
        fail(f"verify could not read {where(settings)}: {type(error).__name__}: {error}")
    finally:
        projections.close()
    for report in reports:
        click.echo(_summary(report))
    if not all(report.intact for report in reports):
        sys.exit(NOT_INTACT)


def _progress(log: str, entries: int) -> None:
    click.echo(f"\rverifying the {log} log: {entries} entries", nl=False, err=True)


def _summary(report: LogReport) -> str:
    root = base64.b64encode(report.root).decode()
    head = f"{report.origin}: "
    if report.intact:
        return (
            f"{head}intact: tree size {report.tree_size}, root {root}; "
            f"{report.checkpoints} checkpoints, {report.cosignatures} cosignatures, "
            f"{report.unsealed} not sealed yet"
        )
    first = report.first
    assert first is not None  # noqa: S101 (not intact means a finding)
    at = f"position {first.position}" if first.position is not None else "the end of the log"
    count = len(report.findings)
    lines = [
        f"{head}NOT INTACT: first at {at}: {first.kind.value} ({first.detail}); {count} findings"
    ]
    for finding in report.findings[:SHOWN_FINDINGS]:
        where = "-" if finding.position is None else str(finding.position)
        lines.append(f"  {where}: {finding.kind.value}: {finding.detail}")
    return "\n".join(lines)


@click.command("new-signing-key")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
@click.option("--name", default=None, help="The key's name; defaults to VTR_LOG_ORIGIN.")
def new_signing_key(out: Path, name: str | None) -> None:
    """Write a new checkpoint signing key file (refuses to overwrite one) and print its public
    verifier key, for witnesses and auditors."""
    from api.cli import fail  # noqa: PLC0415

    try:
        line = new_key_line(name or Settings().log_origin, SIG_ED25519)
        write_new_key_file(out, [line])
    except FileExistsError:
        fail(f"{out} exists: a signing key is never overwritten")
    except NoteError as error:
        fail(f"not a key name: {error}")
    click.echo(note_signers([line])[0].verifier_key())


@click.command("rotate-signing-key")
@click.option("--name", default=None, help="The new key's name; defaults to VTR_LOG_ORIGIN.")
def rotate_signing_key(name: str | None) -> None:
    """Add a new key to the signing key file: checkpoints from the next start carry one more
    signature line. Print the new public key. Retire the old key later by removing its line
    and adding its public key to VTR_TRUSTED_LOG_KEYS."""
    from api.cli import fail, load_settings  # noqa: PLC0415

    settings = load_settings()
    path = settings.signing_key_file or settings.default_signing_key_file
    try:
        lines = read_key_lines(path)
        note_signers(lines)
        line = new_key_line(name or settings.log_origin, SIG_ED25519)
    except (OSError, NoteError) as error:
        fail(f"the signing key file {path}: {error}")
    staging = path.with_name(path.name + ".new")
    staging.unlink(missing_ok=True)
    write_new_key_file(staging, [*lines, line])
    staging.replace(path)
    click.echo(note_signers([line])[0].verifier_key())
