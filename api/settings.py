"""Configuration, read from `VTR_*` environment variables. The only module that reads them."""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from events.integrity.note import NoteError, VerifierKey
from events.vocabulary import INSPECTOR_AND_ABOVE, PoliceRank, RecordClass

MASTER_KEY_BYTES = 32
# Defaults after local-authority practice (domain.md B4): referrals not accepted 2 years,
# case records 6 years from closure. Each controller sets its own schedule.
MAX_RETENTION_MONTHS = 1200
DEFAULT_RETENTION_MONTHS = {
    RecordClass.SCREENED_OUT: 24,
    RecordClass.CONCLUDED: 72,
    RecordClass.ALTERNATIVE_SUPPORT: 72,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VTR_", extra="forbid", hide_input_in_errors=True)

    store: Literal["sqlite", "postgres"] = Field(
        default="sqlite", description="sqlite: embedded files under data_dir; postgres: a server."
    )
    data_dir: Path = Field(default=Path("var"), description="Where the embedded store keeps files.")
    pg_host: str = "127.0.0.1"
    pg_port: int = Field(default=5432, ge=1, le=65535)
    pg_user: str = "postgres"
    pg_password: SecretStr = SecretStr("")
    pg_database: str = Field(default="vtr", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    pg_keystore_database: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        description="The key store's own database; defaults to <pg_database>_keys.",
    )
    pg_pool_size: int = Field(default=5, ge=1, le=100)
    pg_lock_timeout_seconds: int = Field(
        default=5, ge=1, le=300, description="How long a write waits for the event table's lock."
    )
    pg_connect_timeout_seconds: int = Field(
        default=2,
        ge=1,
        le=60,
        description="How long a request waits for a database connection (to open one, or for a "
        "free one in the pool) before it is answered 503.",
    )
    pg_group_commit: bool = Field(
        default=True,
        description="Concurrent commands share one transaction (one WAL flush), each in a "
        "savepoint of its own; off: one transaction per command.",
    )
    pg_statement_timeout_seconds: int = Field(
        default=30, ge=1, le=3600, description="The longest any one SQL statement may run."
    )
    sqlite_lock_timeout_seconds: int = Field(
        default=5,
        ge=1,
        le=60,
        description="How long an embedded-store write waits for another writer to finish.",
    )
    master_key: SecretStr | None = Field(
        default=None, description="Base64 of 32 random bytes; wraps every data key."
    )
    master_key_file: Path | None = Field(
        default=None, description="A file holding the master key (base64), instead of master_key."
    )
    tokens_file: Path | None = Field(
        default=None, description="The bearer-token table; defaults to <data_dir>/tokens.json."
    )
    token_days: int = Field(
        default=90, ge=1, le=730, description="How long an API token issued by the CLI lasts."
    )
    oidc_issuer: str | None = Field(
        default=None, description="The identity provider's issuer URL; enables OIDC JWTs."
    )
    oidc_audience: str | None = Field(default=None, description="This service's audience.")
    oidc_jwks_file: Path | None = Field(
        default=None, description="The provider's JSON Web Key Set, as a file."
    )
    oidc_jwks_url: str | None = Field(
        default=None, description="The provider's JSON Web Key Set URL (fetched and cached)."
    )
    oidc_client_id: str | None = Field(
        default=None,
        description="The console's client id at the identity provider; with the two endpoints "
        "below, the console signs people in with the authorisation code flow.",
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="The console's client secret (a confidential client)."
    )
    oidc_authorization_endpoint: str | None = Field(
        default=None, description="The provider's authorisation endpoint (HTTPS)."
    )
    oidc_token_endpoint: str | None = Field(
        default=None, description="The provider's token endpoint (HTTPS)."
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+$",
        description="The service's address as browsers reach it (scheme and host, no path): "
        "the console's OIDC redirect is <public_url>/console/sign-in/callback.",
    )
    console_idle_minutes: int = Field(
        default=30, ge=1, le=480, description="A console session ends after this idle time."
    )
    console_session_hours: int = Field(
        default=8, ge=1, le=24, description="A console session ends this long after sign-in."
    )
    console_insecure_cookie: bool = Field(
        default=False,
        description="Send the console's session cookie over plain HTTP too (a local "
        "evaluation on a host other than localhost); never in service.",
    )
    oidc_roles_claim: str = "vtr_roles"
    oidc_agency_claim: str = "vtr_agency"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    projections: Literal["in-process", "external"] = Field(
        default="in-process",
        description="Run the case-view projection inside the API, or in `python -m api project`.",
    )
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    disposal_working_days: int = Field(
        default=10,
        ge=1,
        le=250,
        description="Working days a recipient has to delete or return what it received once "
        "its involvement ends (section 8).",
    )
    strategy_meeting_police_ranks: frozenset[PoliceRank] = Field(
        default=INSPECTOR_AND_ABOVE,
        description="The ranks a police attendee at a strategy meeting may hold (section 5: "
        'at least Inspector), as JSON: ["inspector", "chief_inspector", ...].',
    )
    minutes_working_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Local policy: working days after a meeting by which its minutes are "
        'circulated (the guidance says only "as soon as practicable", section 6).',
    )
    referrer_feedback_working_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Local policy: working days after the Section 2 decision, and after the "
        "exit, by which the referrer is given feedback (the guidance gives no time).",
    )
    retention_months: dict[RecordClass, int] = Field(
        default_factory=lambda: dict(DEFAULT_RETENTION_MONTHS),
        description="Months a record is kept after its outcome before it is reviewed, per "
        'record class, as JSON: {"screened_out": 24, "concluded": 72, "alternative_support": 72}.',
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="The log's checkpoint signing key (Ed25519), one key per line; every key "
        "in it signs. Kept outside the databases. Defaults to <data_dir>/signing.key for the "
        "embedded store (created on first start); required for postgres.",
    )
    log_origin: str = Field(
        default="vtr-ledger.invalid",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$",
        description="The logs' name in their checkpoints: <origin>/events and "
        "<origin>/access-log. Unique to this ledger (e.g. a domain name the council holds).",
    )
    checkpoint_every_events: int = Field(
        default=1000, ge=1, le=10_000_000, description="Sign a checkpoint after this many events."
    )
    checkpoint_every_seconds: float = Field(
        default=60,
        ge=0.1,
        le=86_400,
        description="...or this long after the last one, if the log has grown since.",
    )
    seal_lag_seconds: float = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Verify reports an event still unsealed this long after it was recorded.",
    )
    trusted_log_keys: list[str] = Field(
        default_factory=list,
        description="Public keys (vkeys) of retired signing keys whose checkpoints verify "
        "still trusts, as a JSON list.",
    )
    read_wait_seconds: float = Field(
        default=5.0, ge=0, le=60, description="How long a read waits for the view to catch up."
    )

    @field_validator("master_key")
    @classmethod
    def _master_key_is_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_master_key(value.get_secret_value())
        return value

    @field_validator("trusted_log_keys")
    @classmethod
    def _trusted_keys_are_vkeys(cls, value: list[str]) -> list[str]:
        for vkey in value:
            try:
                VerifierKey.parse(vkey)
            except NoteError as error:
                raise ValueError(f"not a verifier key ({error.problem})") from None
        return value

    @field_validator("retention_months")
    @classmethod
    def _every_record_class_has_a_period(
        cls, value: dict[RecordClass, int]
    ) -> dict[RecordClass, int]:
        missing = [str(record_class) for record_class in RecordClass if record_class not in value]
        if missing:
            raise ValueError(f"give a retention period for every record class; missing {missing}")
        if any(not 1 <= months <= MAX_RETENTION_MONTHS for months in value.values()):
            raise ValueError(f"retention periods are months from 1 to {MAX_RETENTION_MONTHS}")
        return value

    @model_validator(mode="after")
    def _one_master_key_source(self) -> Settings:
        if self.master_key is not None and self.master_key_file is not None:
            raise ValueError("set VTR_MASTER_KEY or VTR_MASTER_KEY_FILE, not both")
        return self

    @model_validator(mode="after")
    def _oidc_complete_or_absent(self) -> Settings:
        parts = {
            "VTR_OIDC_ISSUER": self.oidc_issuer,
            "VTR_OIDC_AUDIENCE": self.oidc_audience,
            "VTR_OIDC_JWKS_FILE or VTR_OIDC_JWKS_URL": self.oidc_jwks_file or self.oidc_jwks_url,
        }
        missing = [name for name, value in parts.items() if not value]
        if 0 < len(missing) < len(parts):
            raise ValueError(f"OIDC needs all of its settings; missing {', '.join(missing)}")
        if self.oidc_jwks_file is not None and self.oidc_jwks_url is not None:
            raise ValueError("set VTR_OIDC_JWKS_FILE or VTR_OIDC_JWKS_URL, not both")
        return self

    @model_validator(mode="after")
    def _console_oidc_complete_or_absent(self) -> Settings:
        parts = {
            "VTR_OIDC_CLIENT_ID": self.oidc_client_id,
            "VTR_OIDC_CLIENT_SECRET": self.oidc_client_secret,
            "VTR_OIDC_AUTHORIZATION_ENDPOINT": self.oidc_authorization_endpoint,
            "VTR_OIDC_TOKEN_ENDPOINT": self.oidc_token_endpoint,
            "VTR_PUBLIC_URL": self.public_url,
        }
        missing = [name for name, value in parts.items() if not value]
        if 0 < len(missing) < len(parts):
            named = ", ".join(missing)
            raise ValueError(
                f"the console's OIDC sign-in needs all of its settings; missing {named}"
            )
        if not missing and self.oidc_issuer is None:
            raise ValueError("the console's OIDC sign-in needs VTR_OIDC_ISSUER and its key set")
        return self

    def as_environment(self) -> dict[str, str]:
        """These settings as the `VTR_*` variables that configure them (secrets included), to
        start another process of the service the same way."""
        environment = {}
        for name, value in self.model_dump(mode="json", exclude_none=True).items():
            secret = getattr(getattr(self, name), "get_secret_value", None)
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            environment[f"VTR_{name.upper()}"] = secret() if secret else text
        return environment

    @property
    def keystore_database(self) -> str:
        return self.pg_keystore_database or f"{self.pg_database}_keys"

    @property
    def token_table(self) -> Path:
        return self.tokens_file or self.data_dir / "tokens.json"

    @property
    def default_signing_key_file(self) -> Path:
        return self.data_dir / "signing.key"

    def log_name(self, log: str) -> str:
        """A sealed log's origin: `<log_origin>/events` or `<log_origin>/access-log`."""
        return f"{self.log_origin}/{log}"

    @property
    def default_master_key_file(self) -> Path:
        return self.data_dir / "master.key"

    def eventsourcing_env(self) -> dict[str, str]:
        """The event store's configuration, handed explicitly to the library."""
        if self.store == "sqlite":
            return {
                "PERSISTENCE_MODULE": "events.datastores:RecoveringSQLiteFactory",
                "SQLITE_DBNAME": str(self.data_dir / "events.sqlite"),
                "SQLITE_LOCK_TIMEOUT": str(self.sqlite_lock_timeout_seconds),
                "APPLICATION_RECORDER_TOPIC": "commands.recorders:SQLiteLedgerRecorder",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_database,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": str(self.pg_port),
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password.get_secret_value(),
            "POSTGRES_POOL_SIZE": str(self.pg_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.pg_pool_size),
            "POSTGRES_LOCK_TIMEOUT": str(self.pg_lock_timeout_seconds),
            "POSTGRES_CONNECT_TIMEOUT": str(self.pg_connect_timeout_seconds),
            # A connection that died while it sat in the pool is found out before a request
            # gets it (one round trip), so a recovered database fails no request.
            "POSTGRES_PRE_PING": "y",
            # Never the stored function: it drops the lock that keeps log order = commit order.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "APPLICATION_RECORDER_TOPIC": (
                "commands.group_commit:GroupCommitLedgerRecorder"
                if self.pg_group_commit
                else "commands.recorders:PostgresLedgerRecorder"
            ),
        }

    def postgres_connection(self, database: str) -> dict[str, object]:
        return {
            "dbname": database,
            "host": self.pg_host,
            "port": self.pg_port,
            "user": self.pg_user,
            "password": self.pg_password.get_secret_value(),
            "connect_timeout": self.pg_connect_timeout_seconds,
            "options": f"-c statement_timeout={self.pg_statement_timeout_seconds * 1000}",
        }


def decode_master_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the master key must be base64") from None
    if len(key) != MASTER_KEY_BYTES:
        raise ValueError(f"the master key must decode to {MASTER_KEY_BYTES} bytes")
    return key
