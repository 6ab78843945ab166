"""The central store's storage, one module per resource over a shared core.

`core` holds the engine, the `writing()` transaction and the audit log; `admin`,
`devices`, `records` (push and pull), `due` (the timed rules), `team`
(tallies, weeks, reviews; built on `due` for the tallies' due counts) and
`fidelity` (the fidelity items and outcomes; built on `team`) each add the
calls of one resource. `sync.server.store.CentralStore` joins them.
"""
