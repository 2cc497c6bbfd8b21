"""`python -m api witness`: a partner agency's witness of the log, and `new-witness-key`.

A witness is how an agency that does not trust the operator holds the log to its word. Each
run it fetches the log's latest signed checkpoint, checks that it extends the last checkpoint
this witness cosigned (same origin, a tree at least as large, a consistency proof between
them) and cosigns it (C2SP tlog-cosignature). It talks to the API over HTTP only and needs no
database and no master key; its memory is a directory of its own (`--state`):

- `log.vkey`: the log's public key, pinned on the first run;
- `checkpoint`: the last checkpoint it cosigned, the note exactly as served;
- `last_time`: the time of its last cosignature (a witness's times must rise);
- `evidence/`: for each refusal, the note it held and the note it was shown (and the proof):
  two checkpoints signed with the log's own key that do not extend each other.

Exit codes: 0 cosigned, nothing new, or no checkpoint yet; 1 an error (network, HTTP, the
state directory, a usage error); 2 refused: the log showed a checkpoint that does not extend
the one this witness holds. 2 is the one an alarm should watch, so nothing else uses it.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
import httpx2 as httpx

from events.integrity.keys import cosigner, new_key_line, read_key_lines, write_new_key_file
from events.integrity.note import (
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    Cosigner,
    NoteError,
    VerifierKey,
)
from events.integrity.witness import (
    Cosign,
    NeedsProof,
    Refusal,
    WitnessError,
    decide,
    key_label,
    next_cosignature_time,
)

ERROR = 1
REFUSED = 2
TOKEN_VARIABLE = "VTR_WITNESS_TOKEN"  # noqa: S105 (the variable's name, not a token)
LOGS = ("events", "access")
HTTP_TIMEOUT_SECONDS = 30
NOTE_TYPE = "text/plain; charset=utf-8"


# The state directory.


@dataclass(frozen=True, slots=True)
class WitnessState:
    directory: Path

    @property
    def pinned_key_file(self) -> Path:
        return self.directory / "log.vkey"

    @property
    def cosigned_file(self) -> Path:
        return self.directory / "checkpoint"

    @property
    def last_time_file(self) -> Path:
        return self.directory / "last_time"

    def log_key(self, given: str | None) -> VerifierKey:
        """The pinned log key; on the first run `given`, pinned now. A different key later is
        refused: trusting a new key is a decision for a person, not for a timer."""
        if not self.pinned_key_file.exists():
            if given is None:
                raise WitnessError("the first run needs --log-key: the log's public verifier key")
            key = _log_key(given)
            _replace(self.pinned_key_file, f"{key}\n")
            return key
        key = _log_key(_read(self.pinned_key_file))
        if given is not None and (other := _log_key(given)) != key:
            raise WitnessError(
                f"refused: --log-key {key_label(other)} is not the key pinned in "
                f"{self.pinned_key_file} ({key_label(key)}); remove that file only if the log's "
                "key was replaced"
            )
        return key

    def held_note(self) -> str | None:
        return _read(self.cosigned_file) if self.cosigned_file.exists() else None

    def last_time(self) -> int | None:
        if not self.last_time_file.exists():
            return None
        text = _read(self.last_time_file).strip()
        if not text.isdigit():
            raise WitnessError(f"{self.last_time_file} does not hold a time in unix seconds")
        return int(text)

    def keep_time(self, timestamp: int) -> None:
        _replace(self.last_time_file, f"{timestamp}\n")

    def keep_cosigned(self, note: str) -> None:
        _replace(self.cosigned_file, note)

    def keep_evidence(
        self, held: str | None, shown: str, proof: str | None, at: datetime
    ) -> list[Path]:
        """Both notes (and the proof) as received, under a name no later refusal reuses."""
        folder = self.directory / "evidence"
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            raise WitnessError(f"cannot make {folder}: {error}") from None
        stem = _unused_stem(folder, at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        parts = {"held.note": held, "shown.note": shown, "proof.json": proof}
        kept = []
        for part, text in parts.items():
            if text is not None:
                _replace(folder / f"{stem}-{part}", text)
                kept.append(folder / f"{stem}-{part}")
        return kept


def _unused_stem(folder: Path, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`...: two refusals in one second keep both pairs."""
    candidate, attempt = stem, 1
    while (folder / f"{candidate}-shown.note").exists():
        attempt += 1
        candidate = f"{stem}-{attempt}"
    return candidate


def _log_key(vkey: str) -> VerifierKey:
    try:
        key = VerifierKey.parse(vkey.strip())
    except NoteError as error:
        raise WitnessError(f"not a verifier key: {error}") from None
    if key.signature_type != SIG_ED25519:
        raise WitnessError(
            f"{key_label(key)} is a witness's cosigning key, not a log's signing key"
        )
    return key


def _read(path: Path) -> str:
    # Bytes, then UTF-8: text mode would turn a \r\n into \n and change a note's bytes.
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WitnessError(f"cannot read {path}: {error}") from None


def _replace(path: Path, text: str) -> None:
    """Write beside, flush to the disk, rename over: a crash leaves the old file or the new."""
    staging = path.with_name(f"{path.name}.new")
    try:
        with staging.open("wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        staging.replace(path)
    except OSError as error:
        raise WitnessError(f"cannot write {path}: {error}") from None


# The log, over HTTP.


@dataclass(frozen=True, slots=True)
class ProofAnswer:
    hashes: list[bytes]
    text: str  # as received, for the evidence


class LogClient:
    """The few routes a witness uses, with its bearer token."""

    def __init__(self, url: str, token: str, log: str) -> None:
        self.log = log
        self.http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    def close(self) -> None:
        self.http.close()

    def latest_note(self) -> str | None:
        """The latest signed checkpoint with its cosignatures; None if there is none yet."""
        answer = self.http.get("checkpoints/latest", params={"log": self.log})
        if (
            answer.status_code == httpx.codes.NOT_FOUND
            and _problem(answer) == "checkpoint-not-found"
        ):
            return None
        _expect(answer, httpx.codes.OK, "GET /checkpoints/latest")
        if not answer.headers.get("content-type", "").startswith("text/plain"):
            raise WitnessError("GET /checkpoints/latest did not answer a text/plain note")
        try:
            return answer.content.decode("utf-8")
        except UnicodeDecodeError:
            raise WitnessError(
                "GET /checkpoints/latest answered a note that is not UTF-8"
            ) from None

    def consistency_proof(self, first: int, second: int) -> ProofAnswer:
        params: dict[str, str | int] = {"log": self.log, "first": first, "second": second}
        answer = self.http.get("log/consistency-proof", params=params)
        _expect(answer, httpx.codes.OK, "GET /log/consistency-proof")
        try:
            body = answer.json()
        except ValueError:
            body = None
        expected = {"log": self.log, "first": first, "second": second}
        if not isinstance(body, dict) or any(body.get(k) != v for k, v in expected.items()):
            raise WitnessError("GET /log/consistency-proof did not answer the proof asked for")
        return ProofAnswer(_hashes(body.get("proof")), answer.text)

    def post_cosignature(self, size: int, line: str) -> None:
        answer = self.http.post(
            f"checkpoints/{size}/cosignatures",
            params={"log": self.log},
            content=line.encode("utf-8"),
            headers={"Content-Type": NOTE_TYPE},
        )
        _expect(answer, httpx.codes.CREATED, f"POST /checkpoints/{size}/cosignatures")


def _hashes(proof: object) -> list[bytes]:
    # Only the encoding is checked here; a hash of the wrong length fails the proof itself.
    if not isinstance(proof, list) or not all(isinstance(node, str) for node in proof):
        raise WitnessError("the consistency proof is not a list of base64 hashes")
    try:
        return [base64.b64decode(node, validate=True) for node in proof]
    except binascii.Error:
        raise WitnessError("the consistency proof is not a list of base64 hashes") from None


def _problem(answer: httpx.Response) -> str | None:
    """The slug of a problem document's type (`urn:vtr-ledger:problem:<slug>`), if any."""
    try:
        body = answer.json()
    except ValueError:
        return None
    kind = body.get("type") if isinstance(body, dict) else None
    return kind.rsplit(":", 1)[-1] if isinstance(kind, str) else None


def _expect(answer: httpx.Response, status: int, what: str) -> None:
    if answer.status_code == status:
        return
    try:
        body = answer.json()
        detail = (body.get("detail") or body.get("title")) if isinstance(body, dict) else None
    except ValueError:
        detail = None
    said = f": {detail}" if detail else ""
    raise WitnessError(f"{what} answered {answer.status_code}{said}")


# One run.


@dataclass(frozen=True, slots=True)
class RefusedRun:
    refusal: Refusal
    evidence: list[Path]


def witness_once(
    client: LogClient,
    state: WitnessState,
    witness: Cosigner,
    log_key: VerifierKey,
    now: Callable[[], float],
) -> str | RefusedRun:
    """Fetch, decide, and cosign or refuse; what to print, or the refusal and its evidence."""
    shown = client.latest_note()
    if shown is None:
        return f"the {client.log} log has no checkpoint yet: nothing to cosign"
    held = state.held_note()
    witness_key = witness.verifier_key()
    decision = decide(shown, held, log_key, witness_key)
    proof = None
    if isinstance(decision, NeedsProof):
        proof = client.consistency_proof(decision.first, decision.second)
        decision = decide(shown, held, log_key, witness_key, proof.hashes)
    if isinstance(decision, Refusal):
        text = None if proof is None else proof.text
        evidence = state.keep_evidence(held, shown, text, datetime.fromtimestamp(now(), UTC))
        return RefusedRun(decision, evidence)
    checkpoint = decision.checkpoint
    if isinstance(decision, Cosign):
        timestamp = next_cosignature_time(now(), state.last_time())
        # Kept before it is sent: a cosignature the server holds is never followed by an
        # earlier time, even if this run dies before it hears back.
        state.keep_time(timestamp)
        client.post_cosignature(checkpoint.size, witness.cosign(checkpoint, timestamp).line())
    state.keep_cosigned(shown)
    done = "cosigned" if isinstance(decision, Cosign) else "already cosigned"
    return f"{done} {checkpoint.origin} at size {checkpoint.size}"


# The commands.


class _UsageError(click.UsageError):
    exit_code = ERROR


class _WitnessCommand(click.Command):
    """Usage errors exit 1 (click's own code is 2): 2 is kept for a refusal."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _UsageError(error.format_message(), error.ctx) from None


def _stop(message: str, code: int) -> NoReturn:
    click.echo(f"witness: {message}", err=True)
    sys.exit(code)


def _token(token_file: Path | None) -> str:
    if token_file is not None:
        token = _read(token_file).strip()
    else:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise WitnessError(f"no bearer token: give --token-file FILE or set {TOKEN_VARIABLE}")
    if not token.isascii() or not token.isprintable() or " " in token:
        raise WitnessError("the bearer token holds characters a header cannot carry")
    return token


def _witness_key(path: Path) -> Cosigner:
    try:
        return cosigner(read_key_lines(path))
    except (OSError, UnicodeDecodeError, NoteError) as error:
        raise WitnessError(f"the witness key file {path}: {error}") from None


def _run(
    url: str, key_file: Path, state_dir: Path, log_key: str | None, token: str, log: str
) -> str | RefusedRun:
    witness = _witness_key(key_file)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WitnessError(f"cannot make the state directory {state_dir}: {error}") from None
    state = WitnessState(state_dir)
    pinned = state.log_key(log_key)
    client = LogClient(url, token, log)
    try:
        return witness_once(client, state, witness, pinned, time.time)
    finally:
        client.close()


@click.command("witness", cls=_WitnessCommand)
@click.option("--url", required=True, help="The API's base URL, e.g. https://vtr.example.")
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="This witness's cosigning key file (from new-witness-key).",
)
@click.option(
    "--state",
    "state_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="This witness's own directory (created if missing); one per log.",
)
@click.option(
    "--log-key",
    metavar="VKEY",
    help="The log's public verifier key: needed on the first run, then pinned in the state.",
)
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"A file holding the witness's bearer token (or set {TOKEN_VARIABLE}).",
)
@click.option(
    "--log",
    type=click.Choice(LOGS),
    default="events",
    show_default=True,
    help="The log to witness: the event log, or the access log.",
)
def witness(
    url: str,
    key_file: Path,
    state_dir: Path,
    log_key: str | None,
    token_file: Path | None,
    log: str,
) -> None:
    """Cosign the log's latest checkpoint if it extends the last one this witness cosigned.
    Exit 0 cosigned or nothing new, 1 an error, 2 refused (both notes kept in STATE/evidence)."""
    token = ""
    try:
        token = _token(token_file)
        outcome = _run(url, key_file, state_dir, log_key, token, log)
    except WitnessError as error:
        _stop(_redacted(str(error), token), ERROR)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        _stop(_redacted(f"cannot reach {url}: {type(error).__name__}: {error}", token), ERROR)
    if isinstance(outcome, RefusedRun):
        refusal = outcome.refusal
        _stop(
            f"REFUSED to cosign: {refusal.refused.value}: {refusal.detail}; "
            f"kept as evidence in {outcome.evidence[0].parent}: "
            f"{', '.join(path.name for path in outcome.evidence)}",
            REFUSED,
        )
    click.echo(outcome)


def _redacted(message: str, token: str) -> str:
    # An HTTP library's message may quote a header; the token never reaches the terminal.
    return message.replace(token, "<token>") if token else message


@click.command("new-witness-key", cls=_WitnessCommand)
@click.option("--name", required=True, help="The key's name, e.g. witness.norfolk-constabulary.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The key file to write; keep it at the agency, never send it.",
)
def new_witness_key(name: str, out: Path) -> None:
    """Write a new cosigning key file for a witness (readable by its owner only; never
    overwrites one) and print its public key, which an administrator registers."""
    try:
        line = new_key_line(name, SIG_COSIGNATURE_V1)
        write_new_key_file(out, [line])
    except FileExistsError:
        _stop(f"{out} exists: a witness key is never overwritten", ERROR)
    except NoteError as error:
        _stop(f"not a key name: {error}", ERROR)
    except OSError as error:
        _stop(f"cannot write {out}: {error}", ERROR)
    click.echo(str(cosigner([line]).verifier_key()))
