"""Nothing readable reaches the disk: invented words are searched for in every
byte of the store directory, while open and after close, in several encodings."""

import base64
import os

from app.store import Store
from tests.conftest import PIN

CANARIES = [
    "Xanthippe Quarrington",
    "Zephyrine Okonkwo-Lindqvist",
    "Marigold Foundry & Sons",
    "Prewitt Llewellyn",
    "talked about night shifts at the kiln",
    "Vexworth Tannery",
]


def encodings(word: str) -> list[bytes]:
    raw = word.encode()
    found = [raw, word.encode("utf-16-le"), word.encode("utf-16-be"), word.lower().encode()]
    # base64 of the word at each of the three alignments, minus the unstable edge characters
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)[4:-4]
        found.append(encoded)
    return found


def assert_nothing_readable(directory, words):
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as file:
                content = file.read()
            for word in words:
                for needle in encodings(word):
                    assert needle not in content, f"{word!r} readable in {name}"


def test_no_name_employer_note_or_member_id_reaches_the_disk(store_dir):
    store = Store.create(store_dir, PIN)
    member = store.put(
        "member",
        {
            "display_name": CANARIES[0],
            "program_entry": "2026-09-01",
            "status": "active",
            "notes": CANARIES[4],
        },
    )
    store.put(
        "member", {"display_name": CANARIES[1], "program_entry": "2026-10-01", "status": "active"}
    )
    employer = store.put("employer", {"name": CANARIES[2], "address": "12 Lantern Row"})
    for n in range(40):  # enough to spill pages and keep the WAL busy
        store.put(
            "employer_contact",
            {
                "occurred_at": "2026-11-18T10:00:00-06:00",
                "employer": CANARIES[2],
                "employer_id": employer.id,
                "contact_person": CANARIES[3],
                "face_to_face": True,
                "member_ids": [member.id],
                "notes": f"{CANARIES[4]} #{n}",
            },
        )
    visit = store.put(
        "member_visit",
        {
            "occurred_at": "2026-11-18T12:00:00-06:00",
            "member_id": member.id,
            "type": "job_support",
            "face_to_face": True,
            "setting": "community",
            "notes": CANARIES[5],
        },
    )
    store.put("member_visit", {**visit.data, "notes": "edited"}, id=visit.id)  # old text freed
    store.secrets.set("token", "tok-" + CANARIES[5])
    store.outbox.acknowledge(
        [(visit.id, visit.version, "rejected", {"code": "invalid", "message": CANARIES[5]})]
    )
    words = [*CANARIES, member.id, employer.id]

    assert_nothing_readable(store_dir, words)  # while open, WAL and shm in place
    store.update_settings(week_start="sunday")
    store.close()
    assert_nothing_readable(store_dir, words)  # after close
    reopened = Store.open(store_dir, PIN)
    assert reopened.get(member.id).data["display_name"] == CANARIES[0]
    reopened.close()
    assert_nothing_readable(store_dir, words)


def test_the_store_directory_is_private(store_dir):
    Store.create(store_dir, PIN).close()
    assert store_dir.stat().st_mode & 0o077 == 0
