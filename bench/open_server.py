"""The API with access control switched off, for measuring what it costs (bench only).

FastAPI's own dependency override replaces the gate with a fixed caller: no token check, no
permission matrix, no access log. Nothing in the service itself can run this way.
"""

from __future__ import annotations

import uvicorn

from api.access import Grant
from api.deps import authorise_request
from api.identity import Principal
from api.main import create_app
from api.permissions import MATRIX
from api.settings import Settings
from events.vocabulary import Role

CALLER = Principal("bench-police", "Norfolk Constabulary", (Role.POLICE,), "api-token")


def fixed_grant() -> Grant:
    return Grant(
        actor=CALLER.acting_as(Role.POLICE),
        principal=CALLER,
        permission=MATRIX["get_case"],
        referral_id=None,
        agency_id=None,
        break_glass=None,
        purpose=None,
    )


def main() -> None:
    settings = Settings()
    app = create_app(settings)
    app.dependency_overrides[authorise_request] = fixed_grant
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
