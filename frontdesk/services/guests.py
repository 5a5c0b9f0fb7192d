"""Registering guests and verifying who they are (信息核实).

``verify`` cleans what was typed or scanned and checks it: the name, the
mobile number and the identity document; for a resident ID card the sex and
birth date are read from the number.  Where the typed sex or birth date
differ from the card's, the difference is reported as a ``Mismatch`` and the
typed value is kept: the desk either corrects the form (then there is no
mismatch any more) or confirms what was typed with ``accept_mismatches``.
Nothing is silently overwritten.

Decisions:

- A mobile number is required for every guest registered at the desk: the
  pre-exam reminder and the report notice go to it.  A guest on file without
  one (imported from an old roster) may be updated without adding one.
- A birth date is required for every guest (package age limits need it); for
  a resident ID card it comes from the number when none is typed.
- The same identity document number cannot be registered twice: the desk uses
  the existing person (or merges).  A match on name + birth date + phone only
  may be overridden, after the desk has looked at the candidates, with
  ``allow_duplicate_of``.
- Merging needs a supervisor unless both records carry the same identity
  number: merging two different people mixes their health data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from frontdesk import clock
from frontdesk.domain.enums import IdType, Role
from frontdesk.domain.idnumber import id_number_variants, parse_resident_id
from frontdesk.domain.masking import mask_id_number, mask_phone
from frontdesk.domain.pinyin import pinyin_initials
from frontdesk.domain.sex import Sex
from frontdesk.domain.text import normalize_digits, validate_mobile, validate_person_name
from frontdesk.errors import ConflictError, DuplicateGuestError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, versioning
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m

_EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Passports and travel permits: letters and digits only once separators are gone.
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")


@dataclass
class GuestInput:
    """What the desk typed or scanned for a person."""

    name: str
    sex: str  # "M", "F" or "" (derived from a resident ID card)
    birth_date: dt.date | None
    id_type: IdType
    id_number: str
    phone: str
    organisation_id: int | None = None


@dataclass(frozen=True)
class Mismatch:
    """A typed value that differs from what the ID card number says."""

    field: str  # "sex" or "birth_date"
    typed: object
    from_id: object
    message: str


@dataclass(frozen=True)
class Verified:
    """Clean, checked values, ready to be stored; ``mismatches`` need a decision."""

    name: str
    sex: str
    birth_date: dt.date
    id_type: IdType
    id_number: str
    phone: str
    organisation_id: int | None
    pinyin_initials: str
    mismatches: tuple[Mismatch, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _sex_of(text: str) -> str:
    value = (text or "").strip().upper()
    aliases = {"M": "M", "F": "F", "男": "M", "女": "F", "": ""}
    if value not in aliases:
        raise ValidationError(tr("性别只能是男或女", "Sex must be male or female"), field="sex")
    return aliases[value]


def _sex_label(code: str) -> str:
    return Sex(code).label() if code else ""


def normalise_document_number(id_type: IdType, text: str) -> str:
    """Full-width folded, spaces and dashes removed, upper case (a lowercase x too)."""
    return normalize_digits(text or "").upper()


def verify(inp: GuestInput, today: dt.date, *, require_phone: bool = True) -> Verified:
    """Clean and check ``inp``; raise ``ValidationError`` naming the field at fault."""
    name = validate_person_name(inp.name)
    id_type = IdType(inp.id_type)
    typed_sex = _sex_of(inp.sex)
    number = normalise_document_number(id_type, inp.id_number)
    mismatches: list[Mismatch] = []
    sex, birth = typed_sex, inp.birth_date
    if birth is not None:
        if birth > today:
            raise ValidationError(tr("出生日期不能在将来", "The birth date cannot be in the future"),
                                  field="birth_date")
        if birth < _EARLIEST_BIRTH:
            raise ValidationError(tr("出生日期早于1900年，请核对", "The birth date is before 1900: please check it"),
                                  field="birth_date")
    if id_type is IdType.RESIDENT_ID:
        resident = parse_resident_id(number, today=today)
        number = resident.number
        card_sex = resident.sex.value
        if not typed_sex:
            sex = card_sex
        elif typed_sex != card_sex:
            mismatches.append(Mismatch("sex", typed_sex, card_sex, tr(
                "输入的性别为{typed}，身份证号显示为{card}",
                "The sex typed is {typed}, the ID number says {card}",
                typed=_sex_label(typed_sex), card=_sex_label(card_sex))))
        if birth is None:
            birth = resident.birth_date
        elif birth != resident.birth_date:
            mismatches.append(Mismatch("birth_date", birth, resident.birth_date, tr(
                "输入的出生日期为{typed}，身份证号显示为{card}",
                "The birth date typed is {typed}, the ID number says {card}",
                typed=birth.isoformat(), card=resident.birth_date.isoformat())))
    else:
        if not number:
            raise ValidationError(tr("请输入证件号码", "Enter the document number"), field="id_number")
        if not _DOCUMENT_NUMBER.fullmatch(number):
            raise ValidationError(tr("证件号码应为5至20位字母或数字", "A document number has 5 to 20 letters or digits"),
                                  field="id_number")
        if not sex:
            raise ValidationError(tr("请选择性别", "Choose the sex"), field="sex")
        if birth is None:
            raise ValidationError(tr("请输入出生日期", "Enter the birth date"), field="birth_date")
    phone_text = normalize_digits(inp.phone or "")
    if phone_text or require_phone:
        phone = validate_mobile(phone_text)
    else:
        phone = ""
    return Verified(name=name, sex=sex, birth_date=birth, id_type=id_type, id_number=number, phone=phone,
                    organisation_id=inp.organisation_id, pinyin_initials=pinyin_initials(name),
                    mismatches=tuple(mismatches))


def _number_variants(verified: Verified) -> list[str]:
    """The number, and for a resident ID the same person's old 15 / new 18 digit form."""
    if verified.id_type is IdType.RESIDENT_ID:
        return id_number_variants(verified.id_number)
    return [verified.id_number]


def _same_number(verified: Verified):
    return m.Guest.select().where(m.Guest.id_number.in_(_number_variants(verified)),
                                  m.Guest.merged_into.is_null())


def find_likely_duplicates(verified: Verified, *, exclude_id: int | None = None) -> list[m.Guest]:
    """Guests on file that are probably this person: the same identity number, or
    the same name, birth date and phone.  Merged-away records are never returned."""
    found: dict[int, m.Guest] = {}
    for guest in _same_number(verified):
        found[guest.id] = guest
    if verified.phone:
        query = m.Guest.select().where(m.Guest.name == verified.name, m.Guest.birth_date == verified.birth_date,
                                       m.Guest.phone == verified.phone, m.Guest.merged_into.is_null())
        for guest in query:
            found.setdefault(guest.id, guest)
    found.pop(exclude_id, None)
    return sorted(found.values(), key=lambda g: g.id)


def _check_organisation(organisation_id: int | None) -> None:
    if organisation_id is not None and m.Organisation.get_or_none(m.Organisation.id == organisation_id) is None:
        raise NotFoundError(tr("单位不存在", "The organisation does not exist"), field="organisation")


def _refuse_mismatches(verified: Verified) -> None:
    first = verified.mismatches[0]
    message = "；".join(x.message for x in verified.mismatches)
    raise ValidationError(tr("{m}。请更正或确认后再保存。", "{m}. Correct it or confirm it before saving.", m=message),
                          field=first.field)


def _duplicate_error(candidates: list[m.Guest]) -> DuplicateGuestError:
    return DuplicateGuestError(tr("可能已登记过此人（{n}条相似记录），请选用已有记录或合并",
                                  "This person may be registered already ({n} similar records): use or merge one",
                                  n=len(candidates)), candidates, field="id_number")


def _ids(values: int | Iterable[int] | None) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, int):
        return {values}
    return set(values)


def _masked(verified: Verified) -> dict:
    # The audit log is read by supervisors: keep identity numbers out of it.
    return {"id_type": verified.id_type.value, "id_number": mask_id_number(verified.id_number),
            "phone": mask_phone(verified.phone)}


def register(session: Session, inp: GuestInput, *, today: dt.date | None = None, accept_mismatches: bool = False,
             allow_duplicate_of: int | Iterable[int] | None = None) -> m.Guest:
    """Create a guest after verification.

    Raises ``ValidationError`` for bad input or unconfirmed mismatches, and
    ``DuplicateGuestError`` (with ``.candidates``) when the person seems to be
    on file already.  ``allow_duplicate_of`` names candidates the desk has
    checked and found to be different people (never one with the same number).
    """
    today = today or clock.today()
    verified = verify(inp, today)
    if verified.mismatches and not accept_mismatches:
        _refuse_mismatches(verified)
    with db.transaction():
        _check_organisation(verified.organisation_id)
        candidates = find_likely_duplicates(verified)
        same_number = [g for g in candidates if g.id_number in _number_variants(verified)]
        if same_number or set(g.id for g in candidates) - _ids(allow_duplicate_of):
            raise _duplicate_error(candidates)
        guest = m.Guest.create(name=verified.name, sex=verified.sex, birth_date=verified.birth_date,
                               id_type=verified.id_type.value, id_number=verified.id_number,
                               phone=verified.phone or None, pinyin_initials=verified.pinyin_initials,
                               organisation=verified.organisation_id)
        audit.record(session, "guest.register", "guest", guest.id, **_masked(verified),
                     mismatches_accepted=[x.field for x in verified.mismatches])
    return guest


def get_guest(guest_id: int) -> m.Guest:
    guest = m.Guest.get_or_none(m.Guest.id == guest_id)
    if guest is None:
        raise NotFoundError(tr("找不到该客人", "Guest not found"))
    return guest


@dataclass(frozen=True)
class GuestView:
    """A guest as an edit form reads it, with the ``version`` to hand back to ``update``."""

    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    id_type: IdType
    id_number: str
    phone: str
    organisation_id: int | None
    merged_into_id: int | None
    version: int


def guest_view(guest_id: int) -> GuestView:
    """The guest as a form shows it (plain, immutable, with the version it was read at)."""
    g = get_guest(guest_id)
    return GuestView(g.id, g.name, g.sex, g.birth_date, IdType(g.id_type), g.id_number or "", g.phone or "",
                     g.organisation_id, g.merged_into_id, g.version)


def update(session: Session, guest_id: int, inp: GuestInput, *, today: dt.date | None = None,
           accept_mismatches: bool = False, allow_duplicate_of: int | Iterable[int] | None = None,
           version: int | None = None) -> m.Guest:
    """Change a guest's identity details, verified like a registration.

    ``version``: the one the form read (``GuestView.version``); when another
    desk saved the guest since, nothing is written and ``StaleEditError``
    says at which desk, by whom and when (the form keeps what was typed).
    """
    today = today or clock.today()
    with db.transaction():
        get_guest(guest_id)
        versioning.bump(m.Guest, guest_id, version, session)
        guest = get_guest(guest_id)  # as bumped: its save below keeps the new version
        if guest.merged_into_id is not None:
            raise ConflictError(tr("该记录已合并到另一位客人，不能修改", "This record was merged into another guest"))
        verified = verify(inp, today, require_phone=bool(guest.phone))
        if verified.mismatches and not accept_mismatches:
            _refuse_mismatches(verified)
        _check_organisation(verified.organisation_id)
        candidates = find_likely_duplicates(verified, exclude_id=guest.id)
        same_number = [g for g in candidates if g.id_number in _number_variants(verified)]
        if same_number or set(g.id for g in candidates) - _ids(allow_duplicate_of):
            raise _duplicate_error(candidates)
        new = {"name": verified.name, "sex": verified.sex, "birth_date": verified.birth_date,
               "id_type": verified.id_type.value, "id_number": verified.id_number, "phone": verified.phone or None,
               "pinyin_initials": verified.pinyin_initials, "organisation": verified.organisation_id}
        changed = sorted(k for k, v in new.items()
                         if (getattr(guest, "organisation_id") if k == "organisation" else getattr(guest, k)) != v)
        for key, value in new.items():
            setattr(guest, key, value)
        guest.save()
        audit.record(session, "guest.update", "guest", guest.id, changed=changed, **_masked(verified),
                     mismatches_accepted=[x.field for x in verified.mismatches])
    return guest


def merge(session: Session, keep_id: int, drop_id: int) -> m.Guest:
    """Make ``drop_id`` part of ``keep_id``: its visits, bookings and roster links
    move over, blanks in the kept record are filled from it, and it is marked
    ``merged_into`` so search never shows it again.  One transaction, audited."""
    if keep_id == drop_id:
        raise ValidationError(tr("不能与自身合并", "A guest cannot be merged with itself"))
    with db.transaction():
        get_guest(keep_id), get_guest(drop_id)
        # New versions first (the rows are locked from here): forms open on either guest are refused.
        versioning.bump(m.Guest, keep_id, None, session)
        versioning.bump(m.Guest, drop_id, None, session)
        keep, drop = get_guest(keep_id), get_guest(drop_id)
        if keep.merged_into_id is not None or drop.merged_into_id is not None:
            raise ConflictError(tr("其中一条记录已被合并过", "One of the records has been merged already"))
        if not (keep.id_number and keep.id_number == drop.id_number):
            session.require(Role.SUPERVISOR)
        moved = {
            "visits": m.Visit.update(guest=keep.id).where(m.Visit.guest == drop.id).execute(),
            "bookings": m.Booking.update(guest=keep.id).where(m.Booking.guest == drop.id).execute(),
            "roster_entries": m.RosterEntry.update(guest=keep.id).where(m.RosterEntry.guest == drop.id).execute(),
        }
        # Records merged into ``drop`` earlier now point straight at ``keep``.
        m.Guest.update(merged_into=keep.id).where(m.Guest.merged_into == drop.id).execute()
        for key in ("birth_date", "id_number", "phone", "organisation_id"):
            if getattr(keep, key) in (None, "") and getattr(drop, key) not in (None, ""):
                setattr(keep, key, getattr(drop, key))
        keep.save()
        drop.merged_into = keep.id
        drop.save()
        audit.record(session, "guest.merge", "guest", keep.id, dropped=drop.id, **moved)
    return keep
