"""The last place of a full day goes to one desk only.

Several desk PROCESSES book different guests on the same station's last place at the same moment. Each
one has read the guest and checked eligibility inside its transaction and waits for the others just
before the capacity check, so all of them would see one place left: only the capacity lock (one row
lock taken before the load is read) makes the others wait and then see the day full.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest

from frontdesk import clock
from frontdesk.services import capacity
from frontdesk.storage import models as m

NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()
DAY = dt.date(2026, 11, 30)
DESKS = 4

CHILD = textwrap.dedent("""
    import datetime as dt, json, sys, time
    from pathlib import Path
    from frontdesk import clock, i18n
    from frontdesk.domain.enums import Role
    from frontdesk.errors import UserError
    from frontdesk.services import bookings, capacity, database
    from frontdesk.services.session import Session

    url, guest_id, item_id, folder, desks, me, day, noon = sys.argv[1:]
    i18n.set_language("zh")
    database.open_database(url, upgrade=False)
    session = Session(f"desk{me}", f"前台员{me}", Role.RECEPTION, f"前台{me}")

    def all_here(stage):
        Path(folder, f"{stage}-{me}").touch()
        deadline = time.monotonic() + 60
        while len(list(Path(folder).glob(f"{stage}-*"))) < int(desks) and time.monotonic() < deadline:
            time.sleep(0.005)

    real_lock = capacity.lock
    def meet_then_lock():
        all_here("inside")      # every desk is inside its transaction, eligibility checked
        real_lock()
    capacity.lock = meet_then_lock
    with clock.pinned(dt.datetime.fromisoformat(noon)):
        try:
            view = bookings.create_booking(session, int(guest_id), dt.date.fromisoformat(day), item_ids=[int(item_id)])
            print(json.dumps({"ok": view.booking_no}))
        except UserError as exc:
            print(json.dumps({"refused": exc.message, "type": type(exc).__name__}))
""")


@pytest.mark.slow
def test_desks_booking_the_last_place_at_once_book_it_once(fdb, supervisor, make_guest, cat, tmp_path):
    if not fdb.startswith("postgres"):
        pytest.skip("SQLite's BEGIN IMMEDIATE lets one desk in at a time: the race is PostgreSQL's")
    bmd = m.Station.get(m.Station.code == "BMD")
    with clock.pinned(NOON):
        capacity.set_date_exception(supervisor, bmd.id, DAY, limit=1, note="一台设备")
    people = [make_guest(name=name) for name in ("甲一", "乙二", "丙三", "丁四")[:DESKS]]
    folder = tmp_path / "barrier"
    folder.mkdir()
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, fdb, str(guest.id), str(cat.item_id("BMD")), str(folder), str(DESKS),
         str(n), DAY.isoformat(), NOON.isoformat()],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n, guest in enumerate(people, 1)]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err.decode()
        outcomes.append(json.loads(out.decode().strip().splitlines()[-1]))
    winners = [o for o in outcomes if "ok" in o]
    refused = [o for o in outcomes if "refused" in o]
    assert len(winners) == 1 and len(refused) == DESKS - 1, outcomes
    assert all(o["type"] == "CapacityFullError" and "骨密度室（1/1）" in o["refused"] for o in refused), refused
    assert [b.booking_no for b in m.Booking.select()] == [winners[0]["ok"]]
    assert capacity.day_load(DAY).station(bmd.id).load == 1
