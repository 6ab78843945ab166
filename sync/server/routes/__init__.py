"""One router per resource, each mounted under /v1 by sync.server.app."""

from . import devices, due, fidelity, health, records, team

ROUTERS = (
    health.router,
    devices.router,
    records.router,
    team.router,
    due.router,
    fidelity.router,
)
