"""Record the case-view contract again: `python -m tests.contracts.regenerate`.

Only for a deliberate change of what clients receive; the contract test says when to.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from api.settings import Settings
from tests.contracts.recording import (
    DEMO_FILE,
    SCHEMA_FILE,
    as_text,
    case_view_schema,
    demo_case_responses,
)
from tests.support import write_token_table


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        tokens = Path(root) / "tokens.json"
        write_token_table(tokens)
        settings = Settings(store="sqlite", data_dir=Path(root) / "data", tokens_file=tokens)
        demo = demo_case_responses(settings)
    SCHEMA_FILE.write_text(as_text(case_view_schema()), encoding="utf-8")
    DEMO_FILE.write_text(as_text(demo.case), encoding="utf-8")
    sys.stdout.write(f"Recorded {SCHEMA_FILE.name} and {DEMO_FILE.name}.\n")


if __name__ == "__main__":
    main()
