import datetime as dt
from decimal import Decimal as D

import pytest

from frontdesk.domain.checkdigit import luhn_valid
from frontdesk.domain.enums import PaymentMethod, SpecimenStatus
from frontdesk.services import checkin, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


@pytest.fixture
def woman_visit(desk, make_guest, cat):
    guest = make_guest(name="王芳", sex="F", birth=dt.date(1985, 2, 3))
    return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("COMP_F").id,
                                                 payments=[cash("1880.00")]), day=TODAY)


def codes_by_tube(visit_id):
    groups = {}
    for vi in m.VisitItem.select().where(m.VisitItem.visit == visit_id, m.VisitItem.specimen.is_null(False)):
        specimen = m.Specimen.get_by_id(vi.specimen_id)
        groups.setdefault(m.TubeType.get_by_id(specimen.tube_type_id).code, set()).add(vi.item.code)
    return groups


def test_comprehensive_female_package_groups_items_by_tube(woman_visit):
    groups = codes_by_tube(woman_visit.visit.id)
    assert groups["SST"] == {"LFT", "RFT", "LIPID", "AFP", "CEA", "CA125", "CA153", "THY"}
    assert groups["EDTA"] == {"CBC", "HBA1C"}
    assert groups["URINE"] == {"URINE"}
    assert groups["STOOL"] == {"STOOL", "FOB"}
    assert len(woman_visit.specimens) == len(groups) == 7  # + citrate, fluoride, cervical vial
    assert all(luhn_valid(s.barcode) and s.barcode.startswith("261123") for s in woman_visit.specimens)


def test_assigning_again_changes_nothing(desk, woman_visit):
    before = {s.barcode for s in woman_visit.specimens}
    again = specimens.assign_specimens(desk, woman_visit.visit.id)
    assert {s.barcode for s in again} == before and m.Specimen.select().count() == len(before)


def test_add_on_joins_the_open_tube_of_its_type(desk, make_guest, cat):
    guest = make_guest()
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                  payments=[cash("298.00")]), day=TODAY).visit
    sst = m.Specimen.get(m.Specimen.visit == visit.id, m.Specimen.tube_type == cat.item("LFT").tube_type_id)
    checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    thy = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("THY"))
    assert thy.specimen_id == sst.id


def test_add_on_gets_a_new_tube_when_its_type_is_collected(desk, make_guest, cat):
    guest = make_guest()
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                  payments=[cash("298.00")]), day=TODAY).visit
    sst = m.Specimen.get(m.Specimen.visit == visit.id, m.Specimen.tube_type == cat.item("LFT").tube_type_id)
    m.Specimen.update(status=SpecimenStatus.COLLECTED.value).where(m.Specimen.id == sst.id).execute()
    added = checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    thy = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("THY"))
    assert thy.specimen_id not in (None, sst.id)
    assert m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("LFT")).specimen_id == sst.id
    assert len(added.specimens) == 5


def test_refunded_item_leaves_its_tube_and_an_empty_tube_is_cancelled(desk, supervisor, make_guest, cat):
    guest = make_guest()
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                  payments=[cash("298.00")]), day=TODAY).visit
    glu = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("GLU"))
    tube = glu.specimen_id
    checkin.remove_item(supervisor, glu.id, PaymentMethod.CASH, "客人已进食")
    assert m.VisitItem.get_by_id(glu.id).specimen_id is None
    assert m.Specimen.get_by_id(tube).status == SpecimenStatus.CANCELLED.value
