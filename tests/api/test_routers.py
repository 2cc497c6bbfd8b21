"""The app serves the routes its routers declared, built once per process, not a copy
rebuilt by every app on its first request."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from api.http.app import ROUTERS, create_app
from api.http.routers import serve_routes
from api.settings import Settings


def test_every_app_serves_the_declared_routes_themselves(tmp_path: Path) -> None:
    first = create_app(Settings(store="sqlite", data_dir=tmp_path / "one"))
    second = create_app(Settings(store="sqlite", data_dir=tmp_path / "two"))
    declared = [route for router in ROUTERS for route in router.routes]
    for app in (first, second):
        served = [route for route in app.routes if isinstance(route, APIRoute)]
        assert all(any(route is mine for mine in served) for route in declared)


def test_a_router_with_dependencies_of_its_own_is_refused() -> None:
    """Its routes would be served without them: merging them is what including does."""
    router = APIRouter(dependencies=[Depends(lambda: None)])

    @router.get("/x")
    def endpoint() -> None: ...

    with pytest.raises(ValueError, match="dependencies"):
        serve_routes(FastAPI(), router)
