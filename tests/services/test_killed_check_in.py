"""A desk process killed in the middle of a check-in leaves all of it or none of it.

The child process checks a guest in and is stopped dead (SIGKILL) after the
visit, its items, the payment and the receipt are written but before the
transaction commits. The database must show no trace of it, and the next
receipt number must be the one the killed check-in had taken (no gap).
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from frontdesk.domain.codes import make_receipt_no
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import auth, checkin, database, demo
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

CHILD = textwrap.dedent("""
    import sys, time
    from decimal import Decimal
    from frontdesk.domain.enums import PaymentMethod
    from frontdesk.services import auth, checkin, database, specimens
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput

    url, guest_id, package_id, price, marker = sys.argv[1:6]
    database.open_database(url)
    session = auth.login("qiantai", "demo-desk-2026", "kill-test")
    real = specimens.assign_specimens

    def assign_then_hang(*args, **kwargs):
        result = real(*args, **kwargs)
        open(marker, "w").write("inside")  # visit, items, receipt written; not committed
        time.sleep(60)
        return result

    specimens.assign_specimens = assign_then_hang
    checkin.check_in(session, CheckInRequest(guest_id=int(guest_id), package_id=int(package_id),
                     payments=[PaymentInput(PaymentMethod.CASH, Decimal(price))]))
""")


@pytest.mark.slow
def test_killed_check_in_leaves_nothing_and_no_receipt_gap(fdb, tmp_path):
    demo.build(days=0, scale=0.3, seed=11, output_dir=tmp_path / "prints")
    guest = m.Guest.select().where(m.Guest.sex == "M").first() or m.Guest.select().first()
    package = m.Package.get(m.Package.code == "BASIC")
    before = {"visits": m.Visit.select().count(), "receipts": m.Receipt.select().count(),
              "items": m.VisitItem.select().count(), "specimens": m.Specimen.select().count()}
    next_receipt = m.Counter.get_by_id("receipt").value + 1
    marker = tmp_path / "inside"
    child = subprocess.Popen([sys.executable, "-c", CHILD, fdb, str(guest.id), str(package.id), str(package.price),
                              str(marker)], env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the child never reached the middle of the check-in"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    database.close()
    database.open_database(fdb)  # as the desk would after a restart
    after = {"visits": m.Visit.select().count(), "receipts": m.Receipt.select().count(),
             "items": m.VisitItem.select().count(), "specimens": m.Specimen.select().count()}
    assert after == before
    session = auth.login("qiantai", "demo-desk-2026", "d")
    result = checkin.check_in(session, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                      payments=[PaymentInput(PaymentMethod.CASH, package.price)]))
    # The next receipt number after the demo's: the killed check-in left no gap.
    assert result.receipt.receipt_no == make_receipt_no(next_receipt)
