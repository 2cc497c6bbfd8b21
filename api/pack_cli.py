"""`python -m api verify-pack`: check a dispute pack offline, with the keys of its log and of
any witnesses, and nothing else (no settings, no database, no network)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from events.integrity.note import SIG_COSIGNATURE_V1, SIG_ED25519, NoteError, VerifierKey
from events.integrity.pack import LISTED_FINDINGS, PackReport, verify_pack

# Exit codes: 0 the pack holds, 1 a finding, 2 the check could not run.
NOT_INTACT = 1
CANNOT_RUN = 2


@click.command("verify-pack")
@click.argument("pack", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--log-key",
    required=True,
    help="The ledger's public verifier key (<name>+<id>+<base64>), or a file holding it.",
)
@click.option(
    "--witness-key",
    "witness_keys",
    multiple=True,
    help="A witness's public key (or a file holding it) whose cosignature must be there.",
)
def verify_pack_command(pack: Path, log_key: str, witness_keys: tuple[str, ...]) -> None:
    """Check a dispute pack: its signature, every file's SHA-256, every event's inclusion
    proof, and every revealed value against the stored bytes. Exits 1 naming each problem."""
    log = _key(log_key, SIG_ED25519, "--log-key")
    witnesses = [_key(given, SIG_COSIGNATURE_V1, "--witness-key") for given in witness_keys]
    try:
        content = pack.read_bytes()
    except OSError as error:
        _cannot_run(f"cannot read {pack}: {error.strerror or error}")
    report = verify_pack(content, log, witnesses)
    click.echo(_summary(report))
    if not report.intact:
        for finding in report.findings[:LISTED_FINDINGS]:
            click.echo(f"  - {finding}")
        if len(report.findings) > LISTED_FINDINGS:
            click.echo(f"  ... and {len(report.findings) - LISTED_FINDINGS} more")
        sys.exit(NOT_INTACT)


def _key(given: str, signature_type: int, option: str) -> VerifierKey:
    text = given
    path = Path(given)
    if "+" not in given or path.is_file():
        try:
            text = path.read_text()
        except OSError:
            _cannot_run(f"{option}: neither a verifier key nor a readable file")
    try:
        key = VerifierKey.parse(text.strip())
    except NoteError as error:
        _cannot_run(f"{option}: not a verifier key ({error})")
    if key.signature_type != signature_type:
        kind = "a log's signing key" if signature_type == SIG_ED25519 else "a witness's key"
        _cannot_run(f"{option}: {key.name}'s key is not {kind}")
    return key


def _summary(report: PackReport) -> str:
    verdict = "intact" if report.intact else f"NOT INTACT ({len(report.findings)} findings)"
    witnessed = f", cosigned by {', '.join(report.witnesses)}" if report.witnesses else ""
    return (
        f"dispute pack of case {report.referral_id}: {verdict}; {report.events} events "
        f"({report.revealed_fields} values revealed and checked, {report.redacted_fields} "
        f"redacted, {report.erased_fields} erased), {report.refusals} refused attempts, "
        f"{report.access_entries} access-log entries{witnessed}"
    )


def _cannot_run(message: str) -> NoReturn:
    click.echo(f"verify-pack: {message}", err=True)
    sys.exit(CANNOT_RUN)
