"""Sync between the phone app and the central store (PROTOCOL.md).

`sync.protocol` is the contract both sides import; `sync.server` is the central
store and never runs on the phone.
"""
