"""The desk's one search box: who is this, and what are they here for?

The box takes whatever is typed or scanned and works out what it is:

==========================  ==============================================
input                       looked up as
==========================  ==============================================
18 or 15 characters         resident ID number (also its old/new form)
11 digits                   mobile number *and* visit number (both tried)
12 digits                   specimen barcode -> its visit
10 digits 8.../9...         booking number / receipt number -> its visit
Chinese or other letters    name prefix
ASCII letters               pinyin initials prefix (``zsf`` -> 张三丰; Latin
                            names are stored there whole, lower-cased)
==========================  ==============================================

Full-width characters, spaces and dashes are folded first.  Results list
today's bookings first, then today's visits, then everything else (a guest
with their latest visit, or the particular old visit or booking scanned).
A digit string that is none of the above, or whose check digit is wrong,
is refused with the reason, so a misread scan is noticed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, looks_like_code, parse_code
from frontdesk.domain.enums import BookingStatus, IdType, VisitStatus
from frontdesk.domain.idnumber import id_number_variants, parse_resident_id
from frontdesk.domain.masking import mask_id_number, mask_name, mask_phone
from frontdesk.domain.text import normalize_digits, normalize_input, validate_mobile
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr
from frontdesk.storage import search_queries as sq

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_DIGITS = re.compile(r"\+?[0-9]+")
_LETTERS = re.compile(r"[a-z]+")

TODAY_BOOKING, TODAY_VISIT, OTHER = 0, 1, 2


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "booking", "visit" or "guest"
    matched_by: str  # id_number, phone, visit_no, booking_no, specimen, receipt, deferral_no, name, pinyin
    rank: int  # 0 today's booking, 1 today's visit, 2 the rest
    guest_id: int
    name: str
    name_masked: str
    sex: str
    birth_date: dt.date | None
    id_type: str
    id_number: str
    id_number_masked: str
    phone: str
    phone_masked: str
    visit_id: int | None = None
    visit_no: str | None = None
    visit_date: dt.date | None = None
    booking_id: int | None = None
    booking_no: str | None = None
    exam_date: dt.date | None = None
    status: str | None = None
    status_label: str = ""
    package_name: str = ""

    @property
    def date(self) -> dt.date | None:
        return self.visit_date if self.kind != "booking" else self.exam_date

    @property
    def number(self) -> str | None:
        return self.booking_no if self.kind == "booking" else self.visit_no

    def masked(self) -> dict:
        """The hit without unmasked personal data (for lists, exports and the command line)."""
        data = asdict(self)
        for key in ("name", "id_number", "phone", "birth_date"):
            data.pop(key)
        return data


@dataclass
class _Plan:
    keys: list[tuple[str, list[str]]]  # (guest column, values)
    prefix: tuple[str, str] | None = None  # (guest column, prefix)
    code: tuple[str, str] | None = None  # (kind, digits) of one of our numbers
    phone: str | None = None
    matched_by: str = ""
    # Raises the reason a number is not valid; only run when nothing was found.
    check: Callable[[], object] | None = None


_CODE_MATCH = {CodeKind.VISIT: "visit_no", CodeKind.SPECIMEN: "specimen", CodeKind.RECEIPT: "receipt",
               CodeKind.BOOKING: "booking_no", CodeKind.DEFERRAL: "deferral_no"}


def _plan(query: str) -> _Plan | None:
    text = normalize_input(query)
    if not text:
        return None
    digits = normalize_digits(text).upper()
    if _ID_SHAPE.fullmatch(digits):
        return _Plan([("id_number", id_number_variants(digits))], matched_by="id_number",
                     check=lambda: parse_resident_id(digits, today=dt.date.max))
    if _DIGITS.fullmatch(digits):
        plan = _Plan([])
        try:
            plan.phone = validate_mobile(digits)
        except ValidationError:
            pass
        if plan.phone:
            plan.keys.append(("phone", [plan.phone]))
        kind = looks_like_code(digits)
        if kind is not None:
            plan.code = (kind.value, digits)
        plan.matched_by = "phone" if plan.phone else _CODE_MATCH.get(kind, "")
        if plan.phone is None and kind is None:
            plan.check = lambda: parse_code(digits)
        return plan
    letters = text.lower().replace(" ", "")
    if _LETTERS.fullmatch(letters):
        # Latin names are in pinyin_initials too, whole and lower-cased ("John Smith" -> johnsmith).
        return _Plan([], prefix=("pinyin_initials", letters), matched_by="pinyin")
    return _Plan([], prefix=("name", text), matched_by="name")


def _status_label(kind: str, status: str | None) -> str:
    if not status:
        return ""
    try:
        return (BookingStatus(status) if kind == "booking" else VisitStatus(status)).label()
    except ValueError:
        return status


def search(query: str, *, day: dt.date | None = None, limit: int = 30) -> list[SearchHit]:
    """Find guests, their bookings and visits for whatever was typed or scanned.

    Raises ``ValidationError`` for a number that is none of the known kinds
    or has a wrong check digit, when nothing matched it.
    """
    day = day or clock.today()
    limit = max(1, min(int(limit), 200))
    plan = _plan(query)
    if plan is None:
        return []
    code_how = _CODE_MATCH[CodeKind(plan.code[0])] if plan.code else ""
    if plan.prefix is not None:
        todays, first = sq.prefix_guest_ids(*plan.prefix, day, limit)
        order = list(dict.fromkeys(todays + first))
        rows = sq.hit_rows(day, sq.id_list(order)) if order else []
    else:
        guests = [sq.key_set(column, values, limit) for column, values in plan.keys]
        visits = bookings = None
        if plan.code:
            by_code, visits, bookings = sq.code_sets(*plan.code)
            guests.append(by_code)
        rows = sq.hit_rows(day, sq.union(*guests), visits=visits, bookings=bookings)
        order = sorted({row[1] for row in rows})

    def how(tag: str, phone: str | None) -> str:
        if tag in ("V", "B"):
            return code_how
        if plan.phone and phone == plan.phone:
            return "phone"
        return plan.matched_by if plan.matched_by != "phone" else code_how

    hits = _hits(rows, day, how, order)
    if not hits and plan.check is not None:
        plan.check()  # raises ValidationError saying what is wrong with the number
    return hits[:limit]


def _hits(rows: list[tuple], day: dt.date, how: Callable[[str, str | None], str], order: list[int]) -> list[SearchHit]:
    position = {gid: index for index, gid in enumerate(order)}
    hits: dict[tuple[str, int], tuple[tuple, SearchHit]] = {}
    guest_rows: list[tuple] = []
    for row in rows:
        tag, gid, phone = row[0], row[1], row[7]
        visit_id, visit_date, visit_status = row[8], row[10], row[11]
        booking_id, exam_date, booking_status = row[12], row[14], row[15]
        if tag == "g":
            guest_rows.append(row)
            continue
        if tag == "b" and booking_status != BookingStatus.BOOKED.value:
            continue  # today's booking already checked in (its visit is listed) or cancelled
        if tag in ("b", "B"):
            kind, key = "booking", ("booking", booking_id)
            rank = TODAY_BOOKING if exam_date == day and booking_status == BookingStatus.BOOKED.value else OTHER
        elif visit_status == VisitStatus.PREPARED.value:
            continue  # prepared the day before: the guest has not arrived; the booking is the hit
        else:
            kind, key = "visit", ("visit", visit_id)
            rank = TODAY_VISIT if visit_date == day and visit_status != VisitStatus.CANCELLED.value else OTHER
        if key in hits:
            continue
        sort_key = (rank, position.get(gid, len(position)), 0 if tag in ("B", "V") else 1)
        hits[key] = (sort_key, _hit(kind, how(tag, phone), rank, row))
    shown = {hit.guest_id for _, hit in hits.values()}
    for row in guest_rows:
        gid = row[1]
        if gid not in shown:
            hits[("guest", gid)] = ((OTHER, position.get(gid, len(position)), 2), _hit("guest", how("g", row[7]),
                                                                                       OTHER, row))
    return [hit for _, hit in sorted(hits.values(), key=lambda pair: pair[0])]


def _hit(kind: str, how: str, rank: int, row: tuple) -> SearchHit:
    (_, gid, name, sex, birth, id_type, id_number, phone, visit_id, visit_no, visit_date, visit_status,
     booking_id, booking_no, exam_date, booking_status, package, package_en) = row
    status = booking_status if kind == "booking" else visit_status
    return SearchHit(
        kind=kind, matched_by=how, rank=rank, guest_id=gid, name=name, name_masked=mask_name(name), sex=sex,
        birth_date=birth, id_type=id_type or IdType.RESIDENT_ID.value, id_number=id_number or "",
        id_number_masked=mask_id_number(id_number or ""), phone=phone or "", phone_masked=mask_phone(phone or ""),
        visit_id=visit_id, visit_no=visit_no, visit_date=visit_date, booking_id=booking_id, booking_no=booking_no,
        exam_date=exam_date, status=status, status_label=_status_label(kind, status),
        package_name=(tr(package, package_en or package) if package else ""))
