"""`python -m api …`: the service's commands (`api/cli.py`). An offline command starts
without loading the service (`api/offline_cli.py`)."""

import sys

from api.offline_cli import asks_for_offline, offline


def main() -> None:
    if asks_for_offline(sys.argv[1:]):
        offline()
        return
    from api.cli import main as service_main  # noqa: PLC0415 (it loads the whole service)

    service_main()


main()
