"""Facts about the codebase itself that must keep holding."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from importlinter.cli import lint_imports

from aggregates import rules
from aggregates.errors import Rule
from api.access.permission_docs import render_permission_matrix
from api.bootstrap import open_runtime
from api.catalogue import render_catalogue
from api.http.app import api_routes
from api.settings import Settings
from commands.application import ReferralLedger

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("aggregates", "events", "projections", "commands", "api", "scenarios")


@pytest.mark.parametrize("package", PACKAGES)
def test_our_top_level_packages_are_the_ones_imported(package: str) -> None:
    spec = importlib.util.find_spec(package)
    assert spec is not None
    assert spec.origin is not None
    assert Path(spec.origin).resolve().is_relative_to(ROOT)
    assert package not in importlib.metadata.packages_distributions(), (
        f"an installed distribution also provides a top-level '{package}' package"
    )


def test_the_published_event_catalogue_matches_the_code() -> None:
    published = (ROOT / "docs" / "event-catalogue.md").read_text(encoding="utf-8")
    assert published == render_catalogue(), (
        "docs/event-catalogue.md is stale: run `python -m api catalogue > docs/event-catalogue.md`"
    )


def test_the_published_permission_matrix_matches_the_code() -> None:
    published = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert published == render_permission_matrix(api_routes()), (
        "docs/permissions.md is stale: run `make docs`"
    )


def test_every_access_refusal_is_shown_in_a_test() -> None:
    """Each reason the gate gives for a 401 or 403 is seen refusing something."""
    source = (ROOT / "api" / "access" / "gate.py").read_text(encoding="utf-8")
    source += (ROOT / "api" / "access" / "identity.py").read_text(encoding="utf-8")
    source += (ROOT / "api" / "http" / "request_body.py").read_text(encoding="utf-8")
    reasons = set(
        re.findall(
            r'(?:deny\(\s*\d+,\s*|AuthenticationError\(\s*|_refuse\(\s*\d+,\s*)"([a-z-]+)"', source
        )
    )
    assert len(reasons) > 12, reasons
    tests = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py"))
    assert sorted(r for r in reasons if f'"{r}"' not in tests) == []


def test_every_process_rule_is_shown_refusing_something_in_a_test() -> None:
    """A rule nobody has seen refuse anything is a rule nobody knows works: each is named in
    a rule test of tests/rules (the refusal there checks its code and its words)."""
    names = {name for name, rule in vars(rules).items() if isinstance(rule, Rule)}
    names |= {"signatory_role(", "legal_basis_not_in_force(", "wrong_stage("}
    assert len(names) > 40, "the rules are found"
    rule_tests = "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "tests" / "rules").glob("test_*.py")
    )
    untested = sorted(name for name in names if f"rules.{name}" not in rule_tests)
    assert untested == []


def test_a_subclass_of_the_ledger_keeps_its_stored_name(tmp_path: Path) -> None:
    """A test's or a benchmark's subclass of the ledger stores under the ledger's name (its
    tables and settings keys), not under its own class name as the library would."""

    class Tool(ReferralLedger):
        pass

    settings = Settings(store="sqlite", data_dir=tmp_path)
    runtime = open_runtime(settings)
    tool = Tool(settings.eventsourcing_env(), keyring=runtime.ledger.keyring)
    try:
        assert tool.factory.env.name == runtime.ledger.factory.env.name == "vtr"
    finally:
        tool.close()
        runtime.close()


def test_compose_runs_postgres_api_and_worker_from_one_image() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "api", "projections"}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["api"]["image"] == services["projections"]["image"]
    assert services["api"]["command"][-1] == "serve"
    assert services["projections"]["command"][-1] == "project"
    for name in ("api", "projections"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["environment"]["VTR_PROJECTIONS"] == "external"
    assert "VTR_MASTER_KEY" in services["api"]["environment"]
    assert "VTR_MASTER_KEY" not in services["projections"]["environment"], "the worker needs no key"
    for name in ("api", "projections"):  # the worker signs checkpoints; the API too, in-process
        key = services[name]["environment"]["VTR_SIGNING_KEY_FILE"]
        assert any(volume.endswith(f":{key}:ro") for volume in services[name]["volumes"])


def test_imports_run_in_the_layer_direction(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing imports api but scenarios; nothing below commands and projections imports them;
    nothing that ships imports the benchmarks or the tests (pyproject.toml, [tool.importlinter])."""
    broken = lint_imports(
        config_filename=str(ROOT / "pyproject.toml"),
        limit_to_contracts=("layers", "tools"),
        no_cache=True,
        no_logo=True,
    )
    assert broken == 0, capsys.readouterr().out


STAGES = (
    "intake",
    "strategy_discussion",
    "strategy_meeting",
    "review",
    "conclusion",
    "dispute",
    "meetings",
    "consent",
    "sharing",
    "disposal",
    "erasure",
)
SLICE = (
    "events/{}.py",
    "aggregates/{}.py",
    "commands/{}.py",
    "api/http/routes/{}.py",
    "projections/case_view_folds/{}.py",
    "tests/rules/test_{}.py",
)


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_has_one_name_in_every_folder_and_a_row_in_the_architecture(stage: str) -> None:
    missing = [place.format(stage) for place in SLICE if not (ROOT / place.format(stage)).exists()]
    assert missing == [], f"{stage}'s slice lacks {missing}"
    rows = [
        line
        for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and f"`aggregates/{stage}.py`" in line
    ]
    assert len(rows) == 1, f"docs/architecture.md has no one stage-table row for {stage}"
    assert all(f"`{place.format(stage)}`" in rows[0] for place in SLICE)
