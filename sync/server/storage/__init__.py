"""The central store's storage, one module per part over a shared core.

`core` holds the engine, the `writing()` transaction and the audit log; `admin`,
`devices`, `records` (push and pull), `payers` (each health plan's billing
rule), `due` (the timed rules; given `payers`), `team` (tallies, weeks,
reviews; given `due` for the tallies' due counts), `fidelity` (the fidelity
items and outcomes; given `team` for when each specialist started) and
`billing` (the monthly worksheet; given `payers`) each hold the calls of one
resource, on the core they are given. `sync.server.store.CentralStore` builds
them.
"""
