"""`python -m api …`: serve the API, run the projection worker, load the demo or a synthetic
year, read history."""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn
from uuid import UUID

import click
import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError

from aggregates.agency import AgencyState, directory_name
from api.access.identity import (
    TokenAgency,
    TokenStore,
    TokenTableError,
    issue_token,
    issue_tokens,
    read_table,
    revoke_token,
)
from api.access.permission_docs import render_permission_matrix
from api.bootstrap import (
    Runtime,
    StartupError,
    load_master_key,
    open_keystore,
    open_runtime,
    open_worker_projections,
    prepare_storage,
    replace_master_key_file,
)
from api.catalogue import render_catalogue
from api.http.app import api_routes, create_app
from api.http.command_examples import render_command_examples
from api.http.middleware import ProblemHttpToolsProtocol
from api.http.outages import OUTAGES, describe
from api.integrity_cli import new_signing_key, rotate_signing_key, verify
from api.logging import configure_logging
from api.offline_cli import OFFLINE_COMMANDS
from api.settings import MASTER_KEY_BYTES, Settings, decode_master_key
from commands.agency import RegisterAgency
from commands.clock import Clock
from commands.context import Actor, Issued
from commands.errors import AgencyNameTakenError, ReferralNotFoundError
from commands.keyring import KeyRingError, rotate_master_key
from events.vocabulary import AgencyType, Role
from projections.agency_directory import AgencyDirectory
from scenarios.demo import DEMO_ACTORS, DEMO_START, ScriptedClock, load_demo
from scenarios.synthetic import generate_year


def fail(message: str) -> NoReturn:
    click.echo(f"vtr-ledger: {message}", err=True)
    sys.exit(2)


def where(settings: Settings) -> str:
    if settings.store == "sqlite":
        return f"the data folder {settings.data_dir}"
    return f"PostgreSQL at {settings.pg_host}:{settings.pg_port}, database {settings.pg_database}"


def load_settings() -> Settings:
    try:
        settings = Settings()
    except SettingsError as error:
        # A value that should be JSON (a dict or list setting) and is not.
        field = re.search(r'field "(\w+)"', str(error))
        name = f"VTR_{field.group(1).upper()}" if field else "a VTR_* variable"
        fail(f"configuration is not valid: {name}: not valid JSON")
    except ValidationError as error:
        problems = "; ".join(
            f"VTR_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
            for e in error.errors()
        )
        fail(f"configuration is not valid: {problems}")
    configure_logging(settings.log_format, settings.log_level)
    return settings


@contextmanager
def running(settings: Settings, clock: Clock | None = None) -> Iterator[Runtime]:
    try:
        runtime = open_runtime(settings, clock=clock)
    except StartupError as error:
        fail(str(error))
    except OUTAGES as error:
        fail(f"cannot open the stores ({where(settings)}): {describe(error)}")
    try:
        yield runtime
    finally:
        runtime.close()


class _Commands(click.Group):
    """The commands, with the one failure any of them can meet outside its own handling
    answered as every refusal is (a line and exit status 2), wherever the CLI is invoked."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TokenTableError as error:
            fail(str(error))


@click.group(cls=_Commands)
def cli() -> None:
    """vtr-ledger: the event-sourced record of the VTR referral process."""


@cli.command()
@click.option(
    "--demo", is_flag=True, help="Load the demo cases into an empty store and issue demo tokens."
)
def serve(demo: bool) -> None:
    """Serve the HTTP API (with the case-view projection in-process unless configured otherwise)."""
    settings = load_settings()
    with running(settings) as runtime:
        empty = runtime.ledger.ledger_recorder.count_events() == 0
    if demo and empty:
        _load_demo(settings)
    tokens = _demo_tokens(settings) if demo else None
    try:
        TokenStore(settings.token_table)
    except TokenTableError as error:
        fail(
            f"{error}: issue a token with `python -m api issue-token` (or set VTR_TOKENS_FILE), "
            "or start with --demo"
        )
    url = f"http://{settings.host}:{settings.port}"
    click.echo(f"\nvtr-ledger is starting at {url}  (API guide: {url}/docs)")
    click.echo(f"Compliance console: {url}/console  (sign in with a token below)")
    if tokens:
        click.echo("Demo bearer tokens (Authorization: Bearer <token>):")
        for actor_id, token in tokens.items():
            click.echo(f"  {actor_id:<16} {token}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        http=ProblemHttpToolsProtocol,
    )


@cli.command()
def project() -> None:
    """Run the case-view projection worker until stopped (SIGTERM or Ctrl-C)."""
    settings = load_settings()
    try:
        projections = open_worker_projections(settings)
    except StartupError as error:
        fail(str(error))
    except OUTAGES as error:
        fail(f"cannot open the stores ({where(settings)}): {describe(error)}")
    stopping = {"now": False}

    def stop(_signal: int, _frame: object) -> None:
        stopping["now"] = True
        projections.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    projections.start()
    click.echo("Projection worker running; stop it with SIGTERM or Ctrl-C.")
    while not stopping["now"] and projections.running:
        time.sleep(0.5)
    projections.close()


@cli.command()
def demo() -> None:
    """Load the synthetic demo cases into an empty store."""
    settings = load_settings()
    ids = _load_demo(settings)
    for referral_id in ids:
        click.echo(str(referral_id))


@cli.command()
@click.option("--cases", type=click.IntRange(1, 2000), default=24, show_default=True)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="The same seed, the same year."
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2025-01-06",
    show_default=True,
    help="The first day of the year.",
)
def synthetic(cases: int, seed: int, start: datetime) -> None:
    """Record a synthetic year of sharing (agencies, cases, disclosures) into an empty store."""
    settings = load_settings()
    clock = ScriptedClock(start.replace(tzinfo=UTC))
    with running(settings, clock) as runtime:
        if runtime.ledger.ledger_recorder.count_events() != 0:
            fail("a synthetic year loads into an empty store only; this one already holds events")
        year = generate_year(runtime.ledger, clock, cases=cases, start=start.date(), seed=seed)
        runtime.projections.catch_up()
    click.echo(
        f"Recorded {len(year.referrals)} cases, {len(year.agencies)} agencies, "
        f"{year.disclosures} disclosures and {year.refused} refused attempts."
    )


def _load_demo(settings: Settings) -> list[UUID]:
    clock = ScriptedClock(DEMO_START)
    with running(settings, clock) as runtime:
        if runtime.ledger.ledger_recorder.count_events() != 0:
            fail("the demo loads into an empty store only; this one already holds events")
        ids = load_demo(runtime.ledger, clock)
        runtime.projections.catch_up()
    click.echo(f"Loaded {len(ids)} demo cases.")
    return ids


def _demo_tokens(settings: Settings) -> dict[str, str] | None:
    """Issue demo tokens once, into a fresh token table; show them again on later runs."""
    shown = settings.data_dir / "demo-tokens.json"
    if not settings.token_table.exists():
        tokens = issue_tokens(settings.token_table, DEMO_ACTORS, _now())
        descriptor = os.open(shown, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as kept:
            json.dump(tokens, kept, indent=2)
        return tokens
    if shown.exists():
        kept_tokens: dict[str, str] = json.loads(shown.read_text(encoding="utf-8"))
        return kept_tokens
    click.echo(f"Using the existing token table {settings.token_table}.")
    return None


@cli.command()
@click.argument("referral_id", type=click.UUID)
@click.option(
    "--reveal", is_flag=True, help="Open sealed personal data (otherwise shown as withheld)."
)
def history(referral_id: UUID, reveal: bool) -> None:
    """Print a referral's events in order, with who did what and when."""
    settings = load_settings()
    with running(settings) as runtime:
        try:
            events = runtime.ledger.history(referral_id, reveal=reveal)
        except ReferralNotFoundError as error:
            fail(str(error))
    for position, event in events:
        audit = event.audit
        click.echo(
            f"#{position:<6} v{event.originator_version:<3} {audit.occurred_at.isoformat()} "
            f"{type(event).__name__} by {audit.actor_id} ({audit.actor_role}, {audit.actor_agency})"
        )
        fields = event.model_dump(
            mode="json", exclude={"originator_id", "originator_version", "audit"}
        )
        if fields:
            click.echo("        " + json.dumps(fields, ensure_ascii=False))


@cli.command("issue-token")
@click.option("--actor-id", required=True, help="Staff identifier, e.g. police-insp-4.")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="A role the person holds; repeat for several.",
)
@click.option(
    "--agency",
    required=True,
    help="The agency the person acts for: its id in the directory, or its exact name.",
)
@click.option("--days", type=click.IntRange(1, 730), help="Validity; default VTR_TOKEN_DAYS.")
def issue_token_command(
    actor_id: str, roles: tuple[str, ...], agency: str, days: int | None
) -> None:
    """Issue an API token for one person (administrators): printed once, stored as a digest."""
    settings = load_settings()
    valid_for = timedelta(days=days or settings.token_days)
    found = _directory_agency(settings, agency)
    try:
        stored, token = issue_token(
            settings.token_table,
            actor_id,
            [Role(r) for r in roles],
            TokenAgency(found.agency_id, found.name),
            _now(),
            valid_for,
        )
    except TokenTableError as error:
        fail(str(error))
    click.echo(f"token id {stored.token_id}, expires {stored.expires_at.isoformat()}", err=True)
    click.echo(token)


@cli.command("revoke-token")
@click.argument("token_id")
def revoke_token_command(token_id: str) -> None:
    """Revoke an API token by its id; it is refused from the next request on."""
    settings = load_settings()
    try:
        revoked = revoke_token(settings.token_table, token_id, _now())
    except TokenTableError as error:
        fail(str(error))
    click.echo(f"Revoked token {revoked.token_id} of {revoked.actor_id}.")


@cli.command("list-tokens")
def list_tokens() -> None:
    """List the API tokens: id, holder, roles, agency, expiry, revocation (never the token)."""
    settings = load_settings()
    try:
        tokens = read_table(settings.token_table)
    except TokenTableError as error:
        fail(str(error))
    for token in tokens:
        state = f"revoked {token.revoked_at.isoformat()}" if token.revoked_at else "active"
        click.echo(
            f"{token.token_id} {token.actor_id} {','.join(token.roles)} {token.agency!r} "
            f"({token.agency_id or 'no agency id: re-issue'}) "
            f"expires {token.expires_at.isoformat()} {state}"
        )


def _directory_agency(settings: Settings, given: str) -> AgencyState:
    """The directory's agency for an id or an exact name (compared as the directory compares
    names); anything unknown or ambiguous is refused, never guessed."""
    try:
        projections = open_worker_projections(settings)
    except StartupError as error:
        fail(str(error))
    try:
        projections.workers[AgencyDirectory.name].catch_up()
        agencies = projections.agencies.agencies()
    finally:
        projections.close()
    try:
        wanted = UUID(given)
        matches = [agency for agency in agencies if agency.agency_id == wanted]
    except ValueError:
        matches = [a for a in agencies if directory_name(a.name) == directory_name(given)]
    if not matches:
        fail(f"the directory holds no agency {given!r}: register it first (register-agency)")
    if len(matches) > 1:
        ids = ", ".join(str(agency.agency_id) for agency in matches)
        fail(f"more than one agency is named {given!r} ({ids}): give its id instead")
    return matches[0]


@cli.command("register-agency")
@click.option("--name", required=True, help="The agency's name; unique in the directory.")
@click.option(
    "--type",
    "agency_type",
    required=True,
    type=click.Choice([kind.value for kind in AgencyType]),
    help="Its type, from the guidance's list of agencies (and the hub and the council).",
)
def register_agency_command(name: str, agency_type: str) -> None:
    """Register an agency from the command line (the first ones, before anyone holds a token
    to do it over the API); prints its id, which identity providers put in their tokens."""
    settings = load_settings()
    actor = Actor(f"cli:{getpass.getuser()}"[:64], Role.ADMINISTRATOR, "vtr-ledger command line")
    try:
        command = RegisterAgency(name=name, agency_type=AgencyType(agency_type))
    except ValidationError as error:
        fail(f"the agency is not valid: {error.errors()[0]['msg']}")
    with running(settings) as runtime:
        try:
            outcome = runtime.ledger.register_agency(
                command, Issued(actor, runtime.ledger.new_id())
            )
        except AgencyNameTakenError as error:
            fail(str(error))
    click.echo(str(outcome.aggregate_id))


def _now() -> datetime:
    return datetime.now(UTC)


@cli.command()
def catalogue() -> None:
    """Print the event catalogue (Markdown), generated from the event classes."""
    click.echo(render_catalogue(), nl=False)


@cli.command()
def permissions() -> None:
    """Print the permission matrix (Markdown), generated from the matrix and the routes."""
    click.echo(render_permission_matrix(api_routes()), nl=False)


@cli.command("command-examples")
def command_examples() -> None:
    """Print every command with its roles and an example body (Markdown)."""
    click.echo(render_command_examples(api_routes()), nl=False)


@cli.command("rebuild-projections")
def rebuild_projections() -> None:
    """Drop every view and rebuild it from the log. Stop the API and the worker first."""
    settings = load_settings()
    with running(settings) as runtime:
        applied = runtime.projections.rebuild()
    for view, events in applied.items():
        click.echo(f"Rebuilt {view} from {events} events.")


@cli.command("new-master-key")
def new_master_key() -> None:
    """Print a new random master key (base64), e.g. for `rotate-master-key`."""
    click.echo(base64.b64encode(os.urandom(MASTER_KEY_BYTES)).decode())


@cli.command("rotate-master-key")
@click.option(
    "--new-key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the new master key (base64).",
)
def rotate_master_key_command(new_key_file: Path) -> None:
    """Re-wrap every data key under a new master key; the events are not touched. Stop the
    API first, then configure the new key (the embedded store's key file is replaced)."""
    settings = load_settings()
    try:
        new = decode_master_key(new_key_file.read_text(encoding="ascii"))
        current = load_master_key(settings)
        prepare_storage(settings)
    except (OSError, ValueError, StartupError) as error:
        fail(str(error))
    store = open_keystore(settings)
    try:
        report = rotate_master_key(store, current, new)
    except KeyRingError as error:
        fail(str(error))
    finally:
        store.close()
    if settings.master_key is None and settings.master_key_file is None:
        replace_master_key_file(settings.default_master_key_file, new)
        where = f"{settings.default_master_key_file} now holds it"
    else:
        where = "configure it now (VTR_MASTER_KEY or VTR_MASTER_KEY_FILE)"
    click.echo(
        f"Re-wrapped {report.rewrapped} data keys under master key {report.fingerprint} "
        f"({report.destroyed} destroyed, {report.already_rotated} already rotated); {where}."
    )


@cli.command("reapply-erasures")
def reapply_erasures() -> None:
    """Destroy again every data key an executed erasure named: after a crash between an
    erasure's record and its key destruction, or after restoring the key store from backup."""
    settings = load_settings()
    with running(settings) as runtime:
        applied = runtime.ledger.reapply_erasures()
    click.echo(f"Re-applied {applied} erasures.")


for _command in (verify, new_signing_key, rotate_signing_key, *OFFLINE_COMMANDS):
    cli.add_command(_command)


def main() -> None:
    cli(standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    main()
