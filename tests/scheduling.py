"""How `make test` shares the tests among its processes (pytest-xdist's loadscope, by file).

A test file goes to one process whole, so a module's costly fixtures (the synthetic year,
a live demo server, a browser) are built once rather than once in every process. Two
directories go to one process each, whole: the fault tests, which time kills and outages
and start processes of their own, and the browser tests, which share one demo server and
one browser. Units of more tests are handed out first.

xdist's own `--dist loadgroup` cannot be used: it renames each test by a private attribute
that pytest 9.2 no longer reads, so its groups are silently ignored.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

WHOLE_DIRECTORIES = ("tests/faults/", "tests/browser/")


class ByFileScheduling(LoadScopeScheduling):  # type: ignore[misc]
    def _split_scope(self, nodeid: str) -> str:
        for directory in WHOLE_DIRECTORIES:
            if nodeid.startswith(directory):
                return directory
        return nodeid.split("::", 1)[0]
