"""Receipt numbers across desks: desk processes adding add-ons to visits at the same moment never get
the same receipt number and leave no gap (the counter is taken under a lock in the issuing transaction,
not read and then written back)."""

import json
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal as D

import pytest

from frontdesk.domain.codes import make_receipt_no
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

DESKS = 3
VISITS_PER_DESK = 6
ADD_ONS = ("THY", "AFP", "CEA")  # none of them is in the BASIC package

DESK = textwrap.dedent("""
    import datetime as dt, json, os, sys, time
    from decimal import Decimal
    from frontdesk.domain.enums import PaymentMethod, Role
    from frontdesk.services import checkin, database
    from frontdesk.services.payments import PaymentInput
    from frontdesk.services.session import Session

    url, desk_no, folder, plan = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    database.open_database(url)
    session = Session("qiantai", "李前台", Role.RECEPTION, "前台" + desk_no)
    day = dt.date.fromisoformat(plan["day"])
    open(os.path.join(folder, "ready-" + desk_no), "w").close()
    while not os.path.exists(os.path.join(folder, "go")):
        time.sleep(0.01)
    issued, errors = [], []
    for item_id, price in plan["add_ons"]:  # every desk adds the same item to its visits at the same time
        for visit_id in plan["visits"]:
            try:
                added = checkin.add_items(session, visit_id, [item_id],
                                          [PaymentInput(PaymentMethod.CASH, Decimal(price))], day=day)
                issued.append(added.receipt.receipt_no)
            except Exception as exc:  # a collision shows up here as a refused insert
                errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"issued": issued, "errors": errors}))
""")


def _run_desks(url, folder, plans):
    env = dict(os.environ)
    children = [subprocess.Popen([sys.executable, "-c", DESK, url, str(n), str(folder), json.dumps(plan)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for n, plan in enumerate(plans, start=1)]
    try:
        deadline = time.monotonic() + 120
        while len(list(folder.glob("ready-*"))) < len(children):
            for child in children:
                assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline, "the desks never started"
            time.sleep(0.05)
        (folder / "go").touch()
        outputs = [child.communicate(timeout=300) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err
    return [json.loads(out) for out, _ in outputs]


@pytest.mark.slow
def test_desks_adding_add_ons_at_once_never_share_a_receipt_number_nor_leave_a_gap(fdb, desk, make_guest, cat,
                                                                                     today, tmp_path):
    basic = cat.package("BASIC")
    visits = [checkin.check_in(desk, CheckInRequest(guest_id=make_guest().id, package_id=basic.id,
                                                    payments=[PaymentInput(PaymentMethod.CASH, basic.price)]),
                               day=today).visit.id
              for _ in range(DESKS * VISITS_PER_DESK)]
    add_ons = [(cat.item_id(code), str(cat.item(code).price)) for code in ADD_ONS]
    plans = [{"day": today.isoformat(), "add_ons": add_ons, "visits": visits[n::DESKS]} for n in range(DESKS)]
    folder = tmp_path / "desks"
    folder.mkdir()

    results = _run_desks(fdb, folder, plans)

    assert [r["errors"] for r in results] == [[]] * DESKS
    issued = [number for r in results for number in r["issued"]]
    assert len(issued) == DESKS * VISITS_PER_DESK * len(ADD_ONS)
    assert len(set(issued)) == len(issued), "two desks printed the same receipt number"
    stored = sorted(m.Receipt.select(m.Receipt.receipt_no).tuples())
    expected = [make_receipt_no(n) for n in range(1, len(visits) + len(issued) + 1)]
    assert [no for (no,) in stored] == expected  # one number per receipt, from 1, without a gap
    totals = {v: D("0.00") for v in visits}
    for receipt in m.Receipt.select():
        totals[receipt.visit_id] += receipt.total
    extra = sum(cat.item(code).price for code in ADD_ONS)
    assert set(totals.values()) == {basic.price + extra}  # every add-on charged once, on its own visit
