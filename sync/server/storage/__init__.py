"""The central store's storage, one module per resource over a shared core.

`core` holds the engine, the `writing()` transaction and the audit log; `admin`,
`devices`, `records` (push and pull), `due` (the timed rules) and `team`
(tallies, weeks, reviews; built on `due` for the tallies' due counts) each add
the calls of one resource. `sync.server.store.CentralStore` joins them.
"""
