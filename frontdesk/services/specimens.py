"""Specimens (标本): one tube or container per tube type per visit, with a barcode.

Items that share a tube type share one tube and one barcode.  Assignment is
idempotent and can run again after any change of items:

- an item already on a live specimen (not cancelled) stays on it;
- a new item joins the open specimen of its tube type (created or label
  printed, i.e. not yet collected); when that tube has been collected
  already, a new specimen is made, since the drawn tube cannot grow;
- refunded items leave their specimen; a specimen left without items is
  cancelled.
"""

from __future__ import annotations

import datetime as dt

from frontdesk.domain.codes import make_specimen_no
from frontdesk.domain.enums import ItemStatus, SpecimenStatus
from frontdesk.services.session import Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

OPEN_STATUSES = (SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value)


def new_barcode(day: dt.date) -> str:
    """The next specimen barcode of ``day``; call inside the transaction that uses it."""
    return make_specimen_no(day, queries.next_counter(f"specimen:{day:%y%m%d}"))


def assign_specimens(session: Session, visit: m.Visit | int, *, day: dt.date | None = None) -> list[m.Specimen]:
    """Bring the visit's specimens in line with its items; return its live specimens.

    Barcodes carry ``day`` (default: the visit's date).
    """
    with db.transaction():
        if isinstance(visit, int):
            visit = m.Visit.get_by_id(visit)
        day = day or visit.visit_date
        specimens = {s.id: s for s in m.Specimen.select().where(m.Specimen.visit == visit.id)}
        live = {sid: s for sid, s in specimens.items() if s.status != SpecimenStatus.CANCELLED.value}
        items = list(m.VisitItem.select(m.VisitItem, m.ExamItem).join(m.ExamItem)
                     .where(m.VisitItem.visit == visit.id).order_by(m.VisitItem.id))
        open_by_tube: dict[int, m.Specimen] = {}
        for specimen in sorted(live.values(), key=lambda s: s.id):
            if specimen.status in OPEN_STATUSES:
                open_by_tube.setdefault(specimen.tube_type_id, specimen)
        used: set[int] = set()
        for vi in items:
            tube = vi.item.tube_type_id
            wanted = vi.status != ItemStatus.REFUNDED.value and tube is not None
            current = live.get(vi.specimen_id)
            if not wanted:
                if vi.specimen_id is not None:
                    vi.specimen = None
                    vi.save()
                continue
            if current is not None and current.tube_type_id == tube:
                used.add(current.id)
                continue
            specimen = open_by_tube.get(tube)
            if specimen is None:
                specimen = m.Specimen.create(barcode=new_barcode(day), visit=visit.id, tube_type=tube,
                                             status=SpecimenStatus.CREATED.value)
                live[specimen.id] = specimen
                open_by_tube[tube] = specimen
            vi.specimen = specimen.id
            vi.save()
            used.add(specimen.id)
        now = m.utcnow()
        for specimen in live.values():
            if specimen.id not in used:
                specimen.status = SpecimenStatus.CANCELLED.value
                specimen.cancelled_at = now
                specimen.save()
        return sorted((s for s in live.values() if s.id in used), key=lambda s: s.id)


def specimens_of(visit_id: int) -> list[m.Specimen]:
    """The visit's live specimens in order of draw (CLSI GP41), then barcode."""
    rows = (m.Specimen.select(m.Specimen, m.TubeType).join(m.TubeType)
            .where(m.Specimen.visit == visit_id, m.Specimen.status != SpecimenStatus.CANCELLED.value))
    return sorted(rows, key=lambda s: (s.tube_type.draw_order, s.barcode))
