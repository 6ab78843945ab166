"""The employer directory as the specialist keeps it: every employer met
becomes an entry, and two entries for one employer can be merged. Plain
Python over the store; no flet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain import Record
from app.store import Store


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    record: Record | None  # None: met in contacts, not (yet) an entry of its own
    contacts: int
    last_met: str | None  # occurred_at of the latest contact


def entry_for(store: Store, name: str) -> Record:
    """The directory entry of `name` (any case), made when the employer is new."""
    wanted = name.strip().casefold()
    for employer in store.list("employer"):
        if employer.data["name"].casefold() == wanted:
            return employer
    return store.put("employer", {"name": name.strip()})


def directory(store: Store) -> list[DirectoryEntry]:
    """Directory entries and employers met but not entered, by name, with how
    often and when they were last met."""
    entries = {e.data["name"].casefold(): e for e in store.list("employer")}
    keys = _keys_by_id(entries)
    met: dict[str, list[Record]] = {}
    for contact in store.list("employer_contact"):
        met.setdefault(_key_of(contact, keys), []).append(contact)
    names = {key: e.data["name"] for key, e in entries.items()}
    for key, contacts in met.items():
        names.setdefault(key, contacts[0].data["employer"])
    listing = []
    for key, name in names.items():
        contacts = met.get(key, [])
        last = max((c.data["occurred_at"] for c in contacts),
                   key=datetime.fromisoformat, default=None)
        listing.append(DirectoryEntry(name, entries.get(key), len(contacts), last))
    return sorted(listing, key=lambda entry: entry.name.casefold())


def contacts_with(store: Store, employer: Record) -> list[Record]:
    """The contacts made with a directory entry (linked to it, or by its name),
    newest first."""
    entries = {e.data["name"].casefold(): e for e in store.list("employer")}
    key = employer.data["name"].casefold()
    keys = _keys_by_id(entries)
    found = [c for c in store.list("employer_contact") if _key_of(c, keys) == key]
    return sorted(found, key=lambda c: datetime.fromisoformat(c.data["occurred_at"]),
                  reverse=True)


def merge(store: Store, duplicate: Record, keep: Record) -> int:
    """Make every contact with `duplicate` name `keep` instead, then remove the
    duplicate entry, in one transaction (announced to sync once). Returns how
    many contacts changed."""
    entries = {e.data["name"].casefold(): e for e in store.list("employer")}
    keys = _keys_by_id(entries)
    gone = duplicate.data["name"].casefold()
    changed = 0
    with store.batch():
        for contact in store.list("employer_contact"):
            if _key_of(contact, keys) == gone or contact.data.get("employer_id") == duplicate.id:
                store.put("employer_contact", {**contact.data, "employer": keep.data["name"],
                                               "employer_id": keep.id}, id=contact.id)
                changed += 1
        store.delete(duplicate.id)
    return changed


def _keys_by_id(entries: dict[str, Record]) -> dict[str, str]:
    """Each entry's directory key, by the entry's id."""
    return {entry.id: key for key, entry in entries.items()}


def _key_of(contact: Record, keys_by_id: dict[str, str]) -> str:
    """The directory key a contact belongs to: its linked entry, else its name."""
    linked = keys_by_id.get(contact.data.get("employer_id") or "")
    return linked if linked is not None else str(contact.data["employer"]).casefold()
