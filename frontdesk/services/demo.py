"""Demo data: the seed catalogue, documented demo accounts and synthetic people.

Synthetic guests and visits are deterministic for a given seed and built with
bulk inserts, so 500,000 guests with 1,000,000 visits take minutes, not hours
(the search benchmark runs on such a database).  Every person has a valid
18-digit ID number, a mainland mobile number and a Chinese name; nobody is
real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from frontdesk.domain.codes import make_booking_no, make_visit_no
from frontdesk.domain.enums import (BookingStatus, IdType, ItemStatus, Payer, Role, VisitSource,
                                    VisitStatus)
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.domain.pinyin import pinyin_initials
from frontdesk.services import audit, auth, catalogue
from frontdesk.services.session import SYSTEM, Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

# Documented in the README; only ever created by `frontdesk demo`.
DEMO_ACCOUNTS = (
    ("admin", "管理员", Role.ADMIN, "demo-admin-2026"),
    ("zhuguan", "王主管", Role.SUPERVISOR, "demo-super-2026"),
    ("qiantai", "李前台", Role.RECEPTION, "demo-desk-2026"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国志文博"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂丹萍红梅琳雪婷慧颖倩晶琴云莉璐瑶佳欣怡宁月"
REGIONS = ("110105", "310104", "440305", "330106", "510104", "420102", "320102", "610113", "370102", "120101")
ORGANISATIONS = (("星河科技有限公司", "周经理", "13911112222"), ("东方物流集团", "陈主任", "13822223333"),
                 ("市第一中学", "刘老师", "13733334444"))


@dataclass(frozen=True)
class DemoCounts:
    guests: int
    visits: int
    bookings: int


def ensure_catalogue_and_accounts(session: Session = SYSTEM) -> list[tuple[str, str, Role]]:
    """Seed the catalogue and create the demo accounts that do not exist yet."""
    catalogue.load_seed_catalogue(session)
    created = []
    for username, name, role, password in DEMO_ACCOUNTS:
        if not m.User.select().where(m.User.username == username).exists():
            auth.create_user(session, username, name, role, password)
            created.append((username, password, role))
    return created


def generate(*, guests: int, visits: int, days: int, seed: int, today: dt.date | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> DemoCounts:
    """Add ``guests`` people and ``visits`` visits over the last ``days`` days (today included).

    Today's visits are checked in with their package items; a share of the
    people also have bookings for today and the coming week.
    """
    today = today or dt.date.today()
    if days < 1:
        raise ValueError("days must be at least 1")
    if visits and not guests:
        raise ValueError("visits need guests")
    if visits / days > 9000:
        raise ValueError(f"{visits} visits over {days} days exceed the 9999 visit numbers a day allows; add days")
    rng = random.Random(seed)
    report = progress or (lambda stage, done, total: None)
    packages = list(m.Package.select().where(m.Package.active == True))  # noqa: E712
    if not packages:
        raise ValueError("the catalogue is empty; seed it first")
    package_items = {p.id: [(i.id, i.price) for i in catalogue.package_items(p.id)] for p in packages}
    orgs = [_organisation(name, contact, phone, today) for name, contact, phone in ORGANISATIONS]

    last_id = m.Guest.select(m.Guest.id).order_by(m.Guest.id.desc()).scalar() or 0
    sexes = _insert_guests(rng, guests, today, orgs, report)
    # Ids come from the database (a PostgreSQL sequence need not continue at max+1).
    guest_ids = [g for (g,) in m.Guest.select(m.Guest.id).where(m.Guest.id > last_id).order_by(m.Guest.id).tuples()]
    _insert_visits(rng, visits, days, today, guest_ids, sexes, packages, package_items, report)
    bookings = _insert_bookings(rng, min(guests, max(10, guests // 50), 5000), today, guest_ids, sexes, packages)
    with db.transaction():
        audit.record(SYSTEM, "demo.generate", "demo", "", guests=guests, visits=visits, days=days, seed=seed)
    return DemoCounts(guests, visits, bookings)


def _organisation(name: str, contact: str, phone: str, today: dt.date) -> m.Organisation:
    with db.transaction():
        org, created = m.Organisation.get_or_create(name=name, defaults={"contact_name": contact,
                                                                         "contact_phone": phone})
        if created:
            group = m.Package.get_or_none(m.Package.code == "GROUP")
            m.Contract.create(organisation=org, name=f"{today.year}年度员工体检", start_date=today.replace(month=1, day=1),
                              end_date=today.replace(month=12, day=31), package=group,
                              male_package=m.Package.get_or_none(m.Package.code == "COMP_M") if name.endswith("集团") else None,
                              female_package=m.Package.get_or_none(m.Package.code == "COMP_F") if name.endswith("集团") else None,
                              org_pays_package=True, addon_allowance=0)
    return org


def _person(rng: random.Random, today: dt.date) -> tuple[str, str, dt.date, str, str]:
    male = rng.random() < 0.5
    surname = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_MALE if male else GIVEN_FEMALE) for _ in range(rng.choice((1, 2, 2))))
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 75 * 365))
    sequence = rng.randrange(1, 1000, 2) if male else rng.randrange(0, 1000, 2)
    id_number = make_resident_id(rng.choice(REGIONS), birth, sequence)
    phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
    return surname + given, "M" if male else "F", birth, id_number, phone


class _InitialsCache(dict):
    """Pinyin initials of the few thousand distinct demo names, computed once each."""

    def __missing__(self, name):
        value = self[name] = pinyin_initials(name)
        return value


_GUEST_COLUMNS = ("name", "sex", "birth_date", "id_type", "id_number", "phone", "pinyin_initials", "organisation",
                  "created_at")
_VISIT_COLUMNS = ("visit_no", "guest", "visit_date", "package", "source", "status", "desk", "checked_in_at",
                  "checked_in_by")
_ITEM_COLUMNS = ("visit", "item", "price", "payer", "status", "added_by")
_GUEST_BATCH = 50000


def _insert_guests(rng, count, today, orgs, report) -> list[str]:
    initials = _InitialsCache()
    sexes, batch = [], []
    now = m.utcnow()
    resident = IdType.RESIDENT_ID.value
    for n in range(count):
        name, sex, birth, id_number, phone = _person(rng, today)
        sexes.append(sex)
        batch.append((name, sex, birth, resident, id_number, phone, initials[name],
                      rng.choice(orgs).id if rng.random() < 0.1 else None, now))
        if len(batch) == _GUEST_BATCH or n == count - 1:
            with db.transaction():
                queries.insert_rows(m.Guest, _GUEST_COLUMNS, batch)
            batch = []
            report("guests", n + 1, count)
    return sexes


def _eligible(packages, sex: str):
    return [p for p in packages if p.sex_restriction in (None, sex) and not p.for_groups]


def _insert_visits(rng, count, days, today, guest_ids, sexes, packages, package_items, report) -> None:
    if not count:
        return
    per_day = [count // days + (1 if d < count % days else 0) for d in range(days)]
    by_sex = {"M": _eligible(packages, "M"), "F": _eligible(packages, "F")}
    walk_in, desk, by = VisitSource.WALK_IN.value, "前台1", "qiantai"
    done_value, pending_value, guest_payer = ItemStatus.DONE.value, ItemStatus.PENDING.value, Payer.GUEST.value
    # Check-in times cycle through 30 distinct minutes: build them once per day.
    minutes = [dt.time(0, 30 + k // 4) for k in range(120)]
    done = 0
    for offset, n_day in enumerate(per_day):
        day = today - dt.timedelta(days=offset)
        key = f"visit:{day:%y%m%d}"
        times = [dt.datetime.combine(day, t, tzinfo=dt.timezone.utc) for t in minutes]
        with db.transaction():
            start = queries.next_counter(key) - 1
            m.Counter.update(value=start + n_day).where(m.Counter.name == key).execute()
            rows = []
            for seq in range(start + 1, start + n_day + 1):
                index = rng.randrange(len(guest_ids))
                package = rng.choice(by_sex[sexes[index]])
                status = _status_for(rng, offset)
                rows.append((make_visit_no(day, seq), guest_ids[index], day, package.id, walk_in,
                             status.value, desk, times[seq % 120], by))
            queries.insert_rows(m.Visit, _VISIT_COLUMNS, rows)
            if offset == 0:
                # Today's guests are in the building: give them their items.
                items = []
                for visit in m.Visit.select(m.Visit.id, m.Visit.package).where(m.Visit.visit_date == day):
                    for item_id, price in package_items[visit.package_id]:
                        items.append((visit.id, item_id, price, guest_payer,
                                      done_value if rng.random() < 0.4 else pending_value, by))
                queries.insert_rows(m.VisitItem, _ITEM_COLUMNS, items)
        done += n_day
        report("visits", done, count)


def _status_for(rng: random.Random, days_ago: int) -> VisitStatus:
    if days_ago == 0:
        return VisitStatus.CHECKED_IN
    if days_ago < 5:
        return VisitStatus.CLOSED if rng.random() < 0.9 else VisitStatus.CHECKED_IN
    if days_ago < 15:
        return VisitStatus.REPORT_READY if rng.random() < 0.7 else VisitStatus.REPORT_HANDED_OUT
    return VisitStatus.REPORT_HANDED_OUT


def _insert_bookings(rng, count, today, guest_ids, sexes, packages) -> int:
    if not count:
        return 0
    rows = []
    with db.transaction():
        # Nobody is booked for a day they are already in the building.
        busy = {g for (g,) in m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == today).tuples()}
        free = [i for i in range(len(guest_ids)) if guest_ids[i] not in busy]
        count = min(count, len(free))
        chosen = rng.sample(free, count)
        for n, index in enumerate(chosen):
            day = today + dt.timedelta(days=0 if n < count // 3 else rng.randint(1, 7))
            package = rng.choice(_eligible(packages, sexes[index]))
            rows.append({"booking_no": make_booking_no(queries.next_counter("booking")), "guest": guest_ids[index],
                         "exam_date": day, "package": package.id, "source": VisitSource.BOOKING.value,
                         "status": BookingStatus.BOOKED.value, "created_by": "system"})
        queries.bulk_insert(m.Booking, rows)
    return count
