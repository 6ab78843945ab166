"""One router per resource, each mounted under /v1 by sync.server.app."""

from . import billing, devices, due, fidelity, health, payers, records, team

ROUTERS = (
    health.router,
    devices.router,
    records.router,
    team.router,
    due.router,
    fidelity.router,
    payers.router,
    billing.router,
)
