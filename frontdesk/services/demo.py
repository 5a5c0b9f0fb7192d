"""The demo day: a centre's last few days and this morning, made by the desk's own services.

``build`` makes, on an empty database:

1. the seed catalogue and the documented demo accounts;
2. optionally, old history in bulk (``history_guests`` / ``history_visits``,
   for the search benchmark's large databases): finished visits from before
   the service-built days, written with bulk inserts but shaped as the
   services would have left them (items done, tubes sent on a hand-over
   list, a receipt with its payment, the report handed out);
3. the service-built days (``days`` past days and today), every record made
   through the services a desk uses, with the services' clock
   (``frontdesk.clock``) set to the moment it happens: organisations,
   contracts and rosters; bookings made by phone the day before (eligible for
   their package, checked as the desk would); guests registered at the desk;
   check-ins with payments by cash, card, WeChat, Alipay and the
   organisation account; labels printed to PNG files; urine and stool
   containers received; add-ons, a supervisor's refund; hand-overs to the
   lab; belongings stored and returned.  Past days are finished days (every
   tube sent, every bag back); today is a morning in progress up to
   ``DemoContext.now_limit`` (some booked guests still to come, some
   mid-way, a few done);
4. the later stages registered in ``frontdesk.services.demo_context``, day by
   day after the core's part of each day.

Everything is deterministic for a seed and a ``today``.  The demo only runs
on an empty database (``check_database``): a database with real users or
guests is refused before anything is written, and one that holds a demo
already is left alone (``DemoExistsError``).  The demo database is marked in
``schema_meta`` (key ``demo``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from frontdesk import clock, paths
from frontdesk.domain.codes import make_receipt_no, make_specimen_no, make_visit_no
from frontdesk.domain.enums import (BookingStatus, HandoutMethod, IdType, ItemStatus, Payer, PaymentMethod,
                                    ReceiptKind, ReceiptStatus, Role, SpecimenStatus, VisitSource, VisitStatus)
from frontdesk.domain.idnumber import age_on, make_resident_id
from frontdesk.domain.pinyin import pinyin_initials
from frontdesk.errors import DuplicateGuestError, UserError
from frontdesk.i18n import tr
from frontdesk.services import (audit, auth, belongings, bookings, catalogue, checkin, contracts, guests, labels,
                                specimens)
from frontdesk.services.demo_context import DemoContext, DemoGuest, DemoVisit, stages
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import SYSTEM, Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

# Documented in the README; only ever created by `frontdesk demo`.
DEMO_ACCOUNTS = (
    ("admin", "管理员", Role.ADMIN, "demo-admin-2026"),
    ("zhuguan", "王主管", Role.SUPERVISOR, "demo-super-2026"),
    ("qiantai", "李前台", Role.RECEPTION, "demo-desk-2026"),
)
DEMO_MARK = "demo"  # schema_meta key of a database made by the demo

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国志文博"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂丹萍红梅琳雪婷慧颖倩晶琴云莉璐瑶佳欣怡宁月"
REGIONS = ("110105", "310104", "440305", "330106", "510104", "420102", "320102", "610113", "370102", "120101")
# (name, contact, phone, packages: "GROUP" for everyone or "COMP" by sex, add-on allowance)
ORGANISATIONS = (("星河科技有限公司", "周经理", "13911112222", "GROUP", Decimal("200.00")),
                 ("东方物流集团", "陈主任", "13822223333", "COMP", Decimal("0.00")),
                 ("市第一中学", "刘老师", "13733334444", "GROUP", Decimal("0.00")))
DEPARTMENTS = ("研发部", "市场部", "财务部", "行政部", "运输部", "仓储部", "教务处", "后勤处")
GRADES = ("员工", "员工", "员工", "主管", "经理")
# Add-ons the desk sells most: breath test, thyroid and carotid ultrasound, bone density, HbA1c (joins the
# lavender tube), thyroid function (joins the gold tube), cervical screening and PSA by sex.
ADDONS = ("C13", "US_THY", "US_CAROTID", "BMD", "HBA1C", "THY", "TCT", "PSA", "ECHO")
# Items a guest may decline after paying (no tube, so nothing drawn is wasted).
REFUNDABLE = ("CT_CHEST", "DR_CHEST", "C13", "BMD", "US_CAROTID", "ECHO", "DR_CSPINE")
REFUND_REASONS = ("客人备孕，放弃放射检查", "客人临时有事，不做此项", "客人近期已做过该检查")
MORNING_START = dt.time(7, 30)
TODAY_LIMIT = dt.time(10, 30)


class NotADemoDatabaseError(UserError):
    """The database holds data the demo did not make: the demo refuses to touch it."""


class DemoExistsError(UserError):
    """The database holds a demo already."""


@dataclass(frozen=True)
class DemoSummary:
    today: dt.date
    days: int                     # service-built days, today included
    guests: int
    visits: int
    bookings_waiting: int         # today's bookings not checked in yet
    receipts: int
    takings: Decimal              # net money taken on the service-built days (receipts, refunds subtracted)
    specimens: dict[str, int]     # specimen status -> count
    history_guests: int
    history_visits: int
    output_dir: Path
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# The database guard


def demo_mark() -> dict | None:
    """What the demo recorded about the database it built, or None for a database it did not build."""
    row = m.SchemaMeta.get_or_none(m.SchemaMeta.key == DEMO_MARK)
    return json.loads(row.value) if row is not None else None


def check_database() -> None:
    """Refuse, before anything is written, a database that is not empty or a demo's.

    Raises ``NotADemoDatabaseError`` for real users or people the demo did not
    make, ``DemoExistsError`` for a database the demo built already.  Works
    on an empty database (no tables yet) and on older schemas: it reads only
    columns every version has.
    """
    if not db.database.table_exists("schema_meta"):
        return
    mark = demo_mark() if db.database.table_exists("schema_meta") else None
    demo_users = {u for u, *_ in DEMO_ACCOUNTS}
    users = ([u for (u,) in m.User.select(m.User.username).tuples()] if db.database.table_exists("user") else [])
    real_users = sorted(set(users) - demo_users)
    if real_users:
        raise NotADemoDatabaseError(tr(
            "此数据库有真实用户账号（{u}），不是演示数据库；演示数据只建在新的空数据库中，未作任何更改。"
            "请用 --db 指定一个新文件，或把 FRONTDESK_HOME 设为一个空文件夹。",
            "This database has real user accounts ({u}); it is not a demo database. The demo is only built in a new, "
            "empty database; nothing was changed. Give a new file with --db, or set FRONTDESK_HOME to an empty folder.",
            u="、".join(real_users[:3]) + ("…" if len(real_users) > 3 else "")))
    if mark is not None:
        raise DemoExistsError(tr(
            "此数据库已有演示数据（{d}建立，种子 {s}），未作更改。如需新的演示日，请删除该数据库文件或用 --db 指定新文件。",
            "This database holds the demo already (built on {d}, seed {s}); nothing was changed. For a new demo day, "
            "delete the database file or give a new file with --db.", d=mark.get("today", "?"),
            s=mark.get("seed", "?")))
    tables = [("guest", m.Guest), ("visit", m.Visit), ("booking", m.Booking)]
    if users or any(db.database.table_exists(t) and model.select(model.id).limit(1).exists() for t, model in tables):
        raise NotADemoDatabaseError(tr(
            "此数据库已有客人、体检或账号等数据，不是由演示程序建立的；演示数据只建在新的空数据库中，未作任何更改。"
            "请用 --db 指定一个新文件，或把 FRONTDESK_HOME 设为一个空文件夹。",
            "This database already holds guests, visits or accounts that the demo did not make; the demo is only "
            "built in a new, empty database; nothing was changed. Give a new file with --db, or set FRONTDESK_HOME to "
            "an empty folder."))


def _mark(today: dt.date, seed: int, **more) -> None:
    with db.transaction():
        m.SchemaMeta.create(key=DEMO_MARK, value=json.dumps({"today": today.isoformat(), "seed": seed, **more}))


def ensure_catalogue_and_accounts(session: Session = SYSTEM) -> list[tuple[str, str, Role]]:
    """Seed the catalogue and create the demo accounts that do not exist yet."""
    catalogue.load_seed_catalogue(session)
    created = []
    for username, name, role, password in DEMO_ACCOUNTS:
        if not m.User.select().where(m.User.username == username).exists():
            auth.create_user(session, username, name, role, password)
            created.append((username, password, role))
    return created


# --------------------------------------------------------------------------
# People


def _person(rng: random.Random, today: dt.date, *, min_age: int = 18, max_age: int = 75,
            sex: str | None = None) -> tuple[str, str, dt.date, str, str]:
    male = rng.random() < 0.5 if sex is None else sex == "M"
    surname = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_MALE if male else GIVEN_FEMALE) for _ in range(rng.choice((1, 2, 2))))
    birth = today - dt.timedelta(days=rng.randint(min_age * 365 + 30, max_age * 365 - 30))
    sequence = rng.randrange(1, 1000, 2) if male else rng.randrange(0, 1000, 2)
    id_number = make_resident_id(rng.choice(REGIONS), birth, sequence)
    phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
    return surname + given, "M" if male else "F", birth, id_number, phone


# --------------------------------------------------------------------------
# The service-built days


@dataclass(order=True)
class _Event:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class _Core:
    """The core's part of each demo day: bookings, arrivals, check-ins, specimens, money, belongings."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.packages = {p.code: p for p in m.Package.select().where(m.Package.active == True)}  # noqa: E712
        self.items = {i.code: i for i in m.ExamItem.select().where(m.ExamItem.active == True)}  # noqa: E712
        self.events: list[_Event] = []
        self.seq = 0
        self.bookings: dict[dt.date, list[tuple[int, int]]] = {}  # day -> (booking id, guest id)
        self.roster: dict[str, list[tuple[int, tuple]]] = {}      # org name -> (entry id, person)
        self.tags = 0
        self.refunded_on: set[dt.date] = set()
        self.regulars: list[DemoGuest] = []

    # -- time -------------------------------------------------------------

    def _schedule(self, at: dt.datetime, run: Callable[[], None]) -> None:
        self.seq += 1
        self.events.append(_Event(at.replace(microsecond=0), self.seq, run))

    def _run_events(self, limit: dt.datetime | None) -> None:
        while self.events:
            self.events.sort()
            event = self.events.pop(0)
            if limit is not None and event.at > limit:
                continue  # today: what would happen after this morning has not happened yet
            with clock.pinned(event.at):
                event.run()

    def _local(self, day: dt.date, t: dt.time | tuple[int, int]) -> dt.datetime:
        if isinstance(t, tuple):
            t = dt.time(*t)
        return dt.datetime.combine(day, t).astimezone()

    # -- the setup before the first day -----------------------------------

    def setup(self) -> None:
        ctx = self.ctx
        first = ctx.days[0]
        with clock.pinned(self._local(first - dt.timedelta(days=3), (10, 0))):
            for name, contact, phone, kind, allowance in ORGANISATIONS:
                org_id = contracts.create_organisation(ctx.supervisor, name, contact, phone)
                ctx.tick(2)
                if kind == "GROUP":
                    packages = {"package_id": self.packages["GROUP"].id}
                else:
                    packages = {"male_package_id": self.packages["COMP_M"].id,
                                "female_package_id": self.packages["COMP_F"].id}
                terms = contracts.ContractTermsInput(f"{ctx.today.year}年度员工体检", first - dt.timedelta(days=30),
                                                     ctx.today + dt.timedelta(days=120), addon_allowance=allowance,
                                                     **packages)
                contract_id = contracts.create_contract(ctx.supervisor, org_id, terms)
                ctx.organisation_ids[name] = org_id
                ctx.contract_ids[name] = contract_id
                entries = []
                for n in range(ctx.count(4 * len(ctx.days) + 6, minimum=len(ctx.days) * 2 + 2)):
                    person = _person(self.rng, ctx.today, min_age=22, max_age=58)
                    entry = contracts.add_roster_entry(ctx.desk, contract_id, contracts.RosterPerson(
                        person[0], person[3], person[4], self.rng.choice(GRADES), self.rng.choice(DEPARTMENTS)),
                        today=clock.today())
                    entries.append((entry, person))
                    ctx.tick(1)
                self.rng.shuffle(entries)
                self.roster[name] = entries
        with clock.pinned(self._local(first - dt.timedelta(days=2), (9, 0))):
            # Guests on file from earlier years: the desk finds them by search; a few come back as walk-ins.
            for _ in range(ctx.count(16, minimum=10)):
                try:
                    self.regulars.append(self._register(ctx.desk, _person(self.rng, ctx.today, min_age=25,
                                                                          max_age=70)))
                except DuplicateGuestError:
                    continue
                ctx.tick(self.rng.uniform(2, 30))
        self._book_for(first, self._local(first - dt.timedelta(days=1), (16, 0)))
        self._run_events(None)

    # -- bookings ---------------------------------------------------------

    def _register(self, session: Session, person: tuple, organisation_id: int | None = None) -> DemoGuest:
        name, sex, birth, id_number, phone = person
        guest = guests.register(session, guests.GuestInput(name, sex, birth, IdType.RESIDENT_ID, id_number, phone,
                                                           organisation_id), today=clock.today())
        demo_guest = DemoGuest(guest.id, name, sex, birth, id_number, phone, organisation_id)
        self.ctx.guests.append(demo_guest)
        return demo_guest

    def _choose_package(self, sex: str, birth: dt.date, day: dt.date) -> int:
        """A package the person is eligible for on ``day``, chosen as people choose them."""
        age = age_on(birth, day)
        if age >= 50:
            options = ["SENIOR", "SENIOR", "BASIC", "COMP_M" if sex == "M" else "COMP_F"]
        elif age < 30:
            options = ["ENTRY", "ENTRY", "BASIC"]
        else:
            options = ["BASIC", "BASIC", "COMP_M" if sex == "M" else "COMP_F", "ENTRY"]
        return self.packages[self.rng.choice(options)].id

    def _book_for(self, day: dt.date, when: dt.datetime) -> None:
        """Phone bookings and group bookings for ``day``, made at ``when`` (the afternoon before)."""
        ctx = self.ctx

        def book() -> None:
            made = self.bookings.setdefault(day, [])
            for _ in range(ctx.count(10)):
                person = _person(self.rng, ctx.today, min_age=20, max_age=72)
                try:
                    guest = self._register(ctx.desk, person)
                except DuplicateGuestError:
                    continue
                package_id = self._choose_package(person[1], person[2], day)
                booking = bookings.create_booking(ctx.desk, guest.guest_id, day, package_id=package_id,
                                                  note=self.rng.choice(("电话预约", "电话预约", "微信预约")))
                made.append((booking.id, guest.guest_id))
                ctx.tick(self.rng.uniform(1, 4))
            for name in sorted(self.roster):
                entries = self.roster[name]
                for _ in range(ctx.count(2)):
                    if not entries:
                        break
                    _, person = entries.pop()
                    guest = self._register(ctx.desk, person, ctx.organisation_ids[name])
                    booking = bookings.create_booking(ctx.desk, guest.guest_id, day,
                                                      contract_id=ctx.contract_ids[name], note="团检")
                    made.append((booking.id, guest.guest_id))
                    ctx.tick(1)

        self._schedule(when, book)

    # -- a day ------------------------------------------------------------

    def build_day(self, day: dt.date) -> None:
        ctx = self.ctx
        today = day == ctx.today
        arrivals: list[tuple[dt.datetime, Callable[[Session], None]]] = []
        start = self._local(day, MORNING_START)
        limit = self._local(day, ctx.now_limit)
        for n, (booking_id, guest_id) in enumerate(self.bookings.get(day, [])):
            at = start + dt.timedelta(minutes=self.rng.uniform(5, 170))
            if today and n % 3 == 2:
                at = limit + dt.timedelta(minutes=self.rng.uniform(10, 90))  # still to come this morning
            elif not today and n % 9 == 8:
                continue  # did not come: a no-show for the end of the day
            arrivals.append((at, lambda s, b=booking_id: self._check_in_booking(s, b)))
        for _ in range(ctx.count(12)):
            at = start + dt.timedelta(minutes=self.rng.uniform(5, 200))
            arrivals.append((at, self._walk_in))
        arrivals.sort(key=lambda a: a[0])
        for n, (at, arrive) in enumerate(arrivals):
            session = ctx.desk if n % 3 else ctx.desk2
            self._schedule(at, lambda s=session, a=arrive: a(s))
        for hh, mm in ((9, 45), (11, 30), (15, 30)):
            self._schedule(self._local(day, (hh, mm)), lambda: self._handover())
        if not today:
            # Before closing the doors: anything collected late goes to the lab.
            self._schedule(self._local(day, (16, 45)), lambda: self._handover())
        tomorrow = day + dt.timedelta(days=1)
        if today:
            self._book_for(tomorrow, self._local(day, (9, 5)))
        elif tomorrow in ctx.days:
            self._book_for(tomorrow, self._local(day, (12, 10)))
        self._run_events(limit if today else None)

    def _payments(self, due: Decimal) -> list[PaymentInput]:
        if due <= 0:
            return []
        pick = self.rng.random()
        if pick < 0.35:
            tendered = (due / 100).to_integral_value(rounding=ROUND_CEILING) * 100
            return [PaymentInput(PaymentMethod.CASH, due, tendered)]
        if pick < 0.6:
            return [PaymentInput(PaymentMethod.WECHAT, due)]
        if pick < 0.75:
            return [PaymentInput(PaymentMethod.ALIPAY, due)]
        if pick < 0.93 or due < 100:
            return [PaymentInput(PaymentMethod.CARD, due)]
        part = (due / 2).quantize(Decimal("1."))
        return [PaymentInput(PaymentMethod.WECHAT, part), PaymentInput(PaymentMethod.CASH, due - part, due - part)]

    def _locker(self) -> str | None:
        if self.rng.random() >= 0.4:
            return None
        for _ in range(50):
            self.tags += 1
            tag = f"A{self.tags % 200 + 1:03d}"
            if belongings.in_use(tag) is None:
                return tag
        return None

    def _check_in_booking(self, session: Session, booking_id: int) -> None:
        request = checkin.draft_from_booking(booking_id)
        self._check_in(session, request, group=request.contract_id is not None)

    def _walk_in(self, session: Session) -> None:
        ctx = self.ctx
        if len(self.regulars) > 5 and self.rng.random() < 0.15:
            guest = self.regulars.pop()  # someone on file comes back: found by search, not registered again
        else:
            try:
                guest = self._register(session, _person(self.rng, ctx.today, min_age=20, max_age=72))
            except DuplicateGuestError:
                return
        ctx.tick(1.5)
        request = checkin.CheckInRequest(guest_id=guest.guest_id,
                                         package_id=self._choose_package(guest.sex, guest.birth_date, clock.today()))
        self._check_in(session, request, group=False)

    def _addon_choice(self, sex: str, count: int, *, visit_id: int | None = None,
                      package_id: int | None = None) -> list[int]:
        if visit_id is not None:
            present = {vi.item_id for vi in m.VisitItem.select(m.VisitItem.item).where(m.VisitItem.visit == visit_id)}
        else:
            present = {pi.item_id for pi in m.PackageItem.select().where(m.PackageItem.package == package_id)}
        options = [self.items[c] for c in ADDONS if c in self.items
                   and self.items[c].id not in present and self.items[c].sex_restriction in (None, sex)]
        self.rng.shuffle(options)
        return [i.id for i in options[:count]]

    def _check_in(self, session: Session, request: checkin.CheckInRequest, *, group: bool) -> None:
        ctx = self.ctx
        day = clock.today()
        guest = m.Guest.get_by_id(request.guest_id)
        if not group and self.rng.random() < 0.25:
            request.added_item_ids = self._addon_choice(guest.sex, 1, package_id=request.package_id)
        q = checkin.quote(request, day)
        request.payments = self._payments(q.guest_total)
        request.locker_tag = self._locker()
        result = checkin.check_in(session, request, day=day)
        visit = result.visit
        record = DemoVisit(visit.id, visit.visit_no, guest.id, day, session.desk, "arrived", group)
        if request.locker_tag:
            record.belonging_ids = [b.id for b in belongings.stored_for_visit(visit.id)]
        ctx.visits.append(record)
        now = clock.now()
        # The labels follow the guide sheet out of the printer; the rest of the visit happens later.
        self._schedule(now + dt.timedelta(minutes=self.rng.uniform(0.5, 7)),
                       lambda: self._print(session, visit.id, "check_in"))
        self._schedule(now + dt.timedelta(minutes=self.rng.uniform(12, 30)),
                       lambda: self._blood_drawn(visit.id, record))
        self._schedule(now + dt.timedelta(minutes=self.rng.uniform(30, 70)),
                       lambda: self._hand_in(session, record, "urine"))
        self._schedule(now + dt.timedelta(minutes=self.rng.uniform(50, 130)),
                       lambda: self._hand_in(session, record, "stool"))
        if self.rng.random() < 0.2:
            self._schedule(now + dt.timedelta(minutes=self.rng.uniform(15, 60)),
                           lambda: self._add_on(session, record, guest.sex))
        if not group and day not in self.refunded_on and result.receipt is not None:
            self.refunded_on.add(day)
            self._schedule(now + dt.timedelta(minutes=self.rng.uniform(8, 20)), lambda: self._refund(record))
        self._schedule(now + dt.timedelta(minutes=self.rng.uniform(140, 200)), lambda: self._leave(session, record))

    def _print(self, session: Session, visit_id: int, moment: str, specimen_ids=None) -> None:
        labels.print_labels(session, visit_id, self.ctx.label_output, moment=moment, specimen_ids=specimen_ids,
                            only_unprinted=True)

    def _open(self, visit_id: int, kinds: tuple[str, ...]) -> list[m.Specimen]:
        return [s for s in specimens.specimens_of(visit_id)
                if s.tube_type.container_kind in kinds and s.status in specimens.OPEN_STATUSES]

    def _blood_drawn(self, visit_id: int, record: DemoVisit | None = None) -> None:
        """The blood-draw room sends the tubes down; 前台2 scans them in."""
        for specimen in self._open(visit_id, ("blood", "other")):
            if specimen.status == SpecimenStatus.CREATED.value:
                self._print(self.ctx.desk2, visit_id, "check_in", [specimen.id])
            specimens.receive_specimen(self.ctx.desk2, specimen.barcode, expected_visit_id=visit_id)
            self.ctx.tick(0.2)
        if record is not None and record.progress == "arrived":
            record.progress = "midway"

    def _hand_in(self, session: Session, record: DemoVisit, kind: str) -> None:
        """The guest hands in a urine cup or stool container: label it, scan it in."""
        open_ = self._open(record.visit_id, (kind,))
        if not open_:
            return
        self._print(session, record.visit_id, "hand_in", [s.id for s in open_])
        self.ctx.tick(0.5)
        for specimen in open_:
            specimens.receive_specimen(session, specimen.barcode, expected_visit_id=record.visit_id)
        record.progress = "midway"

    def _add_on(self, session: Session, record: DemoVisit, sex: str) -> None:
        item_ids = self._addon_choice(sex, self.rng.choice((1, 1, 2)), visit_id=record.visit_id)
        if not item_ids:
            return
        q = checkin.quote_addons(record.visit_id, item_ids)
        added = checkin.add_items(session, record.visit_id, item_ids, self._payments(q.guest_total),
                                  day=record.day)
        # A label voided by the add-on, or a new tube: print it now (the old copy is torn off).
        if any(s.status == SpecimenStatus.CREATED.value and s.tube_type.label_moment == "check_in"
               for s in specimens.specimens_of(record.visit_id)) and added.specimens:
            self.ctx.tick(1)
            self._print(session, record.visit_id, "check_in")
        if added.specimens:
            # A tube the add-on opened (or whose label it voided) goes to the blood-draw room too.
            self._schedule(clock.now() + dt.timedelta(minutes=self.rng.uniform(8, 20)),
                           lambda: self._blood_drawn(record.visit_id))

    def _refund(self, record: DemoVisit) -> None:
        """The guest declines an item that was paid for: the supervisor refunds it."""
        rows = (m.VisitItem.select(m.VisitItem, m.ExamItem).join(m.ExamItem)
                .where(m.VisitItem.visit == record.visit_id, m.VisitItem.status == ItemStatus.PENDING.value,
                       m.ExamItem.code.in_(REFUNDABLE)).order_by(m.VisitItem.id))
        rows = list(rows)
        if not rows:
            self.refunded_on.discard(record.day)
            return
        vi = self.rng.choice(rows)
        paid = (m.Payment.select(m.Payment.method).join(m.Receipt)
                .where(m.Receipt.visit == record.visit_id, m.Receipt.kind == ReceiptKind.CHARGE.value,
                       m.Payment.method != PaymentMethod.ORG_ACCOUNT.value).order_by(m.Payment.id).first())
        method = PaymentMethod(paid.method) if paid is not None else PaymentMethod.CASH
        checkin.remove_item(self.ctx.supervisor, vi.id, method, self.rng.choice(REFUND_REASONS))

    def _handover(self) -> None:
        ids = [s.specimen_id for group in specimens.handover_candidates(clock.today()) for s in group.specimens]
        if ids:
            specimens.create_handover(self.ctx.desk2, sorted(ids), day=clock.today())

    def _leave(self, session: Session, record: DemoVisit) -> None:
        """The guest is done: the last containers are in, the bag comes back."""
        if self._open(record.visit_id, ("blood", "other", "urine", "stool")):
            return  # still mid-way (only happens when a container is missing; past days have none)
        for belonging_id in record.belonging_ids:
            belongings.return_(session, belonging_id)
        record.progress = "done"


def _now_limit(today: dt.date) -> dt.time:
    """Today is a morning in progress up to 10:30, or to the present moment when that is earlier."""
    now = dt.datetime.now().astimezone()
    if now.date() == today and dt.time(8, 30) <= now.time() < TODAY_LIMIT:
        return now.time().replace(second=0, microsecond=0)
    return TODAY_LIMIT


def build(*, today: dt.date | None = None, days: int = 3, seed: int = 2026, scale: float = 1.0,
          history_guests: int = 0, history_visits: int = 0, history_days: int = 365,
          output_dir: Path | None = None, progress: Callable[[str, int, int], None] | None = None) -> DemoSummary:
    """Build the demo in the open (empty) database; see the module docstring.

    ``days``: past days built through the services before today; ``scale``
    sizes them (1.0: about 30 visits a day); ``history_*``: bulk old history
    before them.  Raises ``NotADemoDatabaseError`` / ``DemoExistsError``
    before writing anything when the database is not empty.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if scale <= 0:
        raise ValueError("scale must be positive")
    today = today or clock.today()
    report = progress or (lambda stage, done, total: None)
    check_database()
    output_dir = Path(output_dir) if output_dir else paths.data_dir() / "demo-prints"
    first = today - dt.timedelta(days=days)
    # The centre set the system up a few days before the demo days (or before the bulk history).
    set_up = first - dt.timedelta(days=history_days + 10 if (history_guests or history_visits) else 3)
    with clock.pinned(dt.datetime.combine(set_up, dt.time(8, 30)).astimezone()):
        _mark(today, seed, days=days, scale=scale, history_guests=history_guests, history_visits=history_visits,
              history_days=history_days)
        ensure_catalogue_and_accounts()
    history = (0, 0)
    if history_guests or history_visits:
        history = generate_history(guests=history_guests, visits=history_visits, days=history_days,
                                   before=first, seed=seed, progress=report)
    names = {u: (n, r) for u, n, r, _ in DEMO_ACCOUNTS}

    def session(user: str, desk: str) -> Session:
        return Session(user, names[user][0], names[user][1], desk)

    ctx = DemoContext(today=today, days=[first + dt.timedelta(days=n) for n in range(days + 1)],
                      rng=random.Random(seed), desk=session("qiantai", "前台1"), desk2=session("qiantai", "前台2"),
                      supervisor=session("zhuguan", "前台1"), admin=session("admin", "前台1"),
                      output_dir=output_dir, scale=scale, now_limit=_now_limit(today))
    core = _Core(ctx)
    core.setup()
    later = stages()
    for n, day in enumerate(ctx.days):
        ctx.day = day
        core.build_day(day)
        for stage in later:
            stage.run(ctx)
        report("days", n + 1, len(ctx.days))
    ctx.day = None
    with clock.pinned(dt.datetime.combine(today, ctx.now_limit).astimezone()), db.transaction():
        audit.record(SYSTEM, "demo.generate", "demo", "", today=today, days=days, seed=seed, scale=scale,
                     history_guests=history[0], history_visits=history[1])
    return _summary(ctx, history)


def _summary(ctx: DemoContext, history: tuple[int, int]) -> DemoSummary:
    start = dt.datetime.combine(ctx.days[0], dt.time(0)).astimezone()
    receipts = list(m.Receipt.select().where(m.Receipt.issued_at >= start,
                                             m.Receipt.status == ReceiptStatus.ISSUED.value))
    takings = Decimal("0.00")
    for r in receipts:
        takings += -r.total if r.kind == ReceiptKind.REFUND.value else r.total
    visit_ids = [v.visit_id for v in ctx.visits]
    by_status: dict[str, int] = {}
    for (status,) in m.Specimen.select(m.Specimen.status).where(m.Specimen.visit.in_(visit_ids or [0])).tuples():
        by_status[status] = by_status.get(status, 0) + 1
    waiting = (m.Booking.select().where(m.Booking.exam_date == ctx.today,
                                        m.Booking.status == BookingStatus.BOOKED.value).count())
    return DemoSummary(ctx.today, len(ctx.days), len(ctx.guests), len(ctx.visits), waiting, len(receipts), takings,
                       by_status, history[0], history[1], ctx.output_dir, tuple(ctx.notes))


# --------------------------------------------------------------------------
# Bulk history (benchmarks): finished visits before the service-built days


class _InitialsCache(dict):
    """Pinyin initials of the few thousand distinct demo names, computed once each."""

    def __missing__(self, name):
        value = self[name] = pinyin_initials(name)
        return value


_GUEST_COLUMNS = ("name", "sex", "birth_date", "id_type", "id_number", "phone", "pinyin_initials", "organisation",
                  "created_at")
_VISIT_COLUMNS = ("visit_no", "guest", "visit_date", "package", "source", "status", "desk", "checked_in_at",
                  "checked_in_by", "closed_at", "closed_by")
_ITEM_COLUMNS = ("visit", "item", "price", "payer", "status", "added_at", "added_by", "done_at", "specimen")
_SPECIMEN_COLUMNS = ("barcode", "visit", "tube_type", "status", "print_count", "created_at", "printed_at",
                     "collected_at", "collected_by", "sent_at", "sent_by", "handover_no")
_RECEIPT_COLUMNS = ("receipt_no", "visit", "kind", "status", "total", "issued_at", "cashier", "desk")
_LINE_COLUMNS = ("receipt", "description", "amount", "payer")
_PAYMENT_COLUMNS = ("receipt", "method", "amount", "tendered", "change")
_HANDOUT_COLUMNS = ("visit", "method", "recipient_name", "handed_at", "handed_by")
_GUEST_BATCH = 50000
_METHODS = (PaymentMethod.CASH, PaymentMethod.WECHAT, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.CARD)


def generate_history(*, guests: int, visits: int, days: int, before: dt.date, seed: int,
                     progress: Callable[[str, int, int], None] | None = None) -> tuple[int, int]:
    """Bulk old history: ``guests`` people and ``visits`` finished visits over the ``days`` days before ``before``.

    Written with bulk inserts (500,000 guests with 1,000,000 visits take
    minutes, not hours) but shaped as the services leave a finished visit:
    the package's items done, one tube per tube type collected and sent on
    the day's hand-over list, a charge receipt with its line and payment, the
    report handed out in person.  Numbers (visit, specimen, receipt) come
    from the same counters the services use.
    """
    if visits and not guests:
        raise ValueError("visits need guests")
    if days < 1:
        raise ValueError("days must be at least 1")
    if visits and -(-visits // days) > guests:
        raise ValueError(f"{visits} visits over {days} days need at least {-(-visits // days)} guests (one visit a "
                         "guest a day)")
    if visits / days > 9000:
        raise ValueError(f"{visits} visits over {days} days exceed the 9999 visit numbers a day allows; add days")
    rng = random.Random(seed * 7919 + 1)
    report = progress or (lambda stage, done, total: None)
    last_id = m.Guest.select(m.Guest.id).order_by(m.Guest.id.desc()).scalar() or 0
    oldest = before - dt.timedelta(days=days)
    sexes, births = _insert_history_guests(rng, guests, oldest, report)
    guest_ids = [g for (g,) in m.Guest.select(m.Guest.id).where(m.Guest.id > last_id).order_by(m.Guest.id).tuples()]
    if visits:
        _insert_history_visits(rng, visits, days, before, guest_ids, sexes, births, report)
    return guests, visits


def _insert_history_guests(rng, count, oldest, report) -> tuple[list[str], list[dt.date]]:
    initials = _InitialsCache()
    sexes, births, batch = [], [], []
    created = dt.datetime.combine(oldest - dt.timedelta(days=1), dt.time(9)).astimezone(dt.timezone.utc)
    resident = IdType.RESIDENT_ID.value
    for n in range(count):
        name, sex, birth, id_number, phone = _person(rng, oldest, min_age=20, max_age=75)
        sexes.append(sex)
        births.append(birth)
        batch.append((name, sex, birth, resident, id_number, phone, initials[name], None, created))
        if len(batch) == _GUEST_BATCH or n == count - 1:
            with db.transaction():
                queries.insert_rows(m.Guest, _GUEST_COLUMNS, batch)
            batch = []
            report("guests", n + 1, count)
    return sexes, births


def _history_packages() -> dict[str, list[tuple]]:
    """Per sex: (package, its items with price and tube type, age limits) a walk-in may have."""
    out: dict[str, list[tuple]] = {"M": [], "F": []}
    for p in m.Package.select().where(m.Package.active == True, m.Package.for_groups == False):  # noqa: E712
        items = [(i.id, i.price, i.tube_type_id) for i in catalogue.package_items(p.id)]
        for sex in out:
            if p.sex_restriction in (None, sex):
                out[sex].append((p, items))
    return out


def _insert_history_visits(rng, count, days, before, guest_ids, sexes, births, report) -> None:
    packages = _history_packages()
    per_day = [count // days + (1 if d < count % days else 0) for d in range(days)]
    by = "qiantai"
    done_v, guest_v, sent_v = ItemStatus.DONE.value, Payer.GUEST.value, SpecimenStatus.SENT.value
    closed_v = VisitStatus.REPORT_HANDED_OUT.value
    charge_v, issued_v = ReceiptKind.CHARGE.value, ReceiptStatus.ISSUED.value
    in_person = HandoutMethod.IN_PERSON.value
    done = 0
    for offset in reversed(range(days)):  # oldest day first: numbers and times go forward together
        n_day = per_day[offset]
        day = before - dt.timedelta(days=offset + 1)
        if not n_day:
            continue
        base = dt.datetime.combine(day, dt.time(7, 30)).astimezone(dt.timezone.utc)
        sent_at = base + dt.timedelta(hours=8)
        handout_at = base + dt.timedelta(days=7, hours=2)
        with db.transaction():
            visit_start = queries.next_counter(f"visit:{day:%y%m%d}") - 1
            m.Counter.update(value=visit_start + n_day).where(m.Counter.name == f"visit:{day:%y%m%d}").execute()
            handover_no = specimens.make_handover_no(day, queries.next_counter(f"handover:{day:%y%m%d}"))
            plans, visit_rows = [], []
            # One visit per guest a day (the database holds that rule too).
            for k, index in enumerate(rng.sample(range(len(guest_ids)), n_day)):
                sex, birth = sexes[index], births[index]
                age = age_on(birth, day)
                fits = [(p, items) for p, items in packages[sex]
                        if (p.min_age is None or age >= p.min_age) and (p.max_age is None or age <= p.max_age)]
                package, items = rng.choice(fits)
                at = base + dt.timedelta(seconds=rng.randrange(0, 4 * 3600))
                plans.append((package, items, at, _METHODS[rng.randrange(len(_METHODS))]))
                visit_rows.append((make_visit_no(day, visit_start + k + 1), guest_ids[index], day, package.id,
                                   VisitSource.WALK_IN.value, closed_v, "前台1", at, by,
                                   at + dt.timedelta(hours=4), by))
            queries.insert_rows(m.Visit, _VISIT_COLUMNS, visit_rows)
            visit_ids = [v for (v,) in m.Visit.select(m.Visit.id).where(m.Visit.visit_date == day)
                         .order_by(m.Visit.visit_no).tuples()][-n_day:]
            # Tubes: one per tube type of the package, numbered from the day's specimen counter.
            tubes_needed = [sorted({t for _, _, t in items if t}) for _, items, _, _ in plans]
            n_tubes = sum(len(t) for t in tubes_needed)
            spec_start = queries.next_counter(f"specimen:{day:%y%m%d}") - 1
            m.Counter.update(value=spec_start + n_tubes).where(m.Counter.name == f"specimen:{day:%y%m%d}").execute()
            spec_rows, seq = [], spec_start
            for visit_id, tubes, (_, _, at, _) in zip(visit_ids, tubes_needed, plans):
                for tube in tubes:
                    seq += 1
                    spec_rows.append((make_specimen_no(day, seq), visit_id, tube, sent_v, 1, at,
                                      at + dt.timedelta(minutes=2), at + dt.timedelta(minutes=20), "qiantai",
                                      sent_at, "qiantai", handover_no))
            queries.insert_rows(m.Specimen, _SPECIMEN_COLUMNS, spec_rows)
            spec_ids = {}
            for sid, vid, tube in (m.Specimen.select(m.Specimen.id, m.Specimen.visit, m.Specimen.tube_type)
                                   .where(m.Specimen.handover_no == handover_no).tuples()):
                spec_ids[(vid, tube)] = sid
            item_rows, receipt_rows = [], []
            receipt_start = queries.next_counter("receipt") - 1
            m.Counter.update(value=receipt_start + n_day).where(m.Counter.name == "receipt").execute()
            for k, (visit_id, (package, items, at, method)) in enumerate(zip(visit_ids, plans)):
                for item_id, price, tube in items:
                    item_rows.append((visit_id, item_id, price, guest_v, done_v, at, by,
                                      at + dt.timedelta(minutes=30 + rng.randrange(150)),
                                      spec_ids.get((visit_id, tube)) if tube else None))
                receipt_rows.append((make_receipt_no(receipt_start + k + 1), visit_id, charge_v, issued_v,
                                     package.price, at, by, "前台1"))
            queries.insert_rows(m.VisitItem, _ITEM_COLUMNS, item_rows)
            queries.insert_rows(m.Receipt, _RECEIPT_COLUMNS, receipt_rows)
            receipt_ids = [r for (r,) in m.Receipt.select(m.Receipt.id).where(m.Receipt.visit.in_(visit_ids))
                           .order_by(m.Receipt.receipt_no).tuples()]
            line_rows, payment_rows, handout_rows = [], [], []
            for receipt_id, visit_id, (package, _, at, method) in zip(receipt_ids, visit_ids, plans):
                line_rows.append((receipt_id, package.name, package.price, guest_v))
                tendered = ((package.price / 100).to_integral_value(rounding=ROUND_CEILING) * 100
                            if method is PaymentMethod.CASH else None)
                change = tendered - package.price if tendered is not None else Decimal("0.00")
                payment_rows.append((receipt_id, method.value, package.price, tendered, change))
                handout_rows.append((visit_id, in_person, "", handout_at, by))
            queries.insert_rows(m.ReceiptLine, _LINE_COLUMNS, line_rows)
            queries.insert_rows(m.Payment, _PAYMENT_COLUMNS, payment_rows)
            queries.insert_rows(m.ReportHandout, _HANDOUT_COLUMNS, handout_rows)
        done += n_day
        report("visits", done, count)
