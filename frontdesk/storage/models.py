"""The data model of the whole front-desk flow.

One schema serves check-in, labels, close-out, reports, bookings and the end
of day, so later work adds columns and tables rather than reshuffling.  Enum
columns hold the ``value`` of the enums in ``frontdesk.domain.enums``; money
is integer cents; times are UTC.

The tables are created by the numbered migrations in ``db/migrations``, never
by ``create_tables`` at run time: these classes describe the current schema
for queries, the migrations are what builds it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from frontdesk import clock
from frontdesk.storage.db import database

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return clock.now()


class UtcDateTimeField(pw.DateTimeField):
    """Stores naive UTC, returns aware UTC: the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class MoneyField(pw.BigIntegerField):
    """Amounts as integer cents in the database, ``Decimal`` yuan in Python."""

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, Decimal):
            cents = value * 100
            if cents != cents.to_integral_value():
                raise ValueError(f"amount {value} has more than two decimals")
            return int(cents)
        return int(value)

    def python_value(self, value):
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaMeta(BaseModel):
    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Setting(BaseModel):
    """Site-wide settings shared by every desk (site name, receipt layout, limits)."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Counter(BaseModel):
    """Named sequences (receipts, bookings, per-day visits and specimens).

    Incremented inside the transaction that uses the number, so a rolled-back
    check-in leaves no gap in receipt numbers and two desks never share one.
    """

    name = pw.CharField(primary_key=True, max_length=64)
    value = pw.BigIntegerField(default=0)


class User(BaseModel):
    username = pw.CharField(unique=True, max_length=64)
    display_name = pw.CharField(max_length=64)
    role = pw.CharField(max_length=16)
    password_hash = pw.CharField(max_length=255)
    active = pw.BooleanField(default=True)
    failed_attempts = pw.IntegerField(default=0)
    locked_until = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField(default=utcnow)


class AuditLog(BaseModel):
    """Append-only: migration 0002 adds triggers that refuse UPDATE and DELETE."""

    at = UtcDateTimeField(default=utcnow, index=True)
    username = pw.CharField(max_length=64)
    desk = pw.CharField(max_length=64)
    action = pw.CharField(max_length=64, index=True)
    record_type = pw.CharField(max_length=32, default="")
    record_id = pw.CharField(max_length=64, default="")
    details = pw.TextField(default="")


class Station(BaseModel):
    """A department the guest visits (科室), in the order the guide sheet lists them."""

    code = pw.CharField(unique=True, max_length=32)
    name = pw.CharField(max_length=64)
    name_en = pw.CharField(max_length=64)
    location = pw.CharField(max_length=64, default="")
    route_order = pw.IntegerField(default=100)
    daily_capacity = pw.IntegerField(null=True)


class TubeType(BaseModel):
    code = pw.CharField(unique=True, max_length=32)
    name = pw.CharField(max_length=64)
    name_en = pw.CharField(max_length=64)
    additive = pw.CharField(max_length=64, default="")
    cap_colour = pw.CharField(max_length=32)
    cap_colour_en = pw.CharField(max_length=32)
    container_kind = pw.CharField(max_length=16)
    label_copies = pw.IntegerField(default=1)
    label_moment = pw.CharField(max_length=16)
    draw_order = pw.IntegerField(default=0)


class ExamItem(BaseModel):
    code = pw.CharField(unique=True, max_length=32)
    name = pw.CharField(max_length=64)
    name_en = pw.CharField(max_length=96)
    short_name = pw.CharField(max_length=16)
    station = pw.ForeignKeyField(Station, backref="items")
    price = MoneyField()
    sex_restriction = pw.CharField(max_length=1, null=True)  # "M", "F" or none
    tube_type = pw.ForeignKeyField(TubeType, null=True, backref="items")
    fasting = pw.BooleanField(default=False)
    active = pw.BooleanField(default=True)


class Package(BaseModel):
    code = pw.CharField(unique=True, max_length=32)
    name = pw.CharField(max_length=64)
    name_en = pw.CharField(max_length=96)
    price = MoneyField()
    sex_restriction = pw.CharField(max_length=1, null=True)
    min_age = pw.IntegerField(null=True)
    max_age = pw.IntegerField(null=True)
    for_groups = pw.BooleanField(default=False)
    active = pw.BooleanField(default=True)


class PackageItem(BaseModel):
    package = pw.ForeignKeyField(Package, backref="package_items", on_delete="CASCADE")
    item = pw.ForeignKeyField(ExamItem)

    class Meta:
        indexes = ((("package", "item"), True),)


class Organisation(BaseModel):
    name = pw.CharField(unique=True, max_length=128)
    contact_name = pw.CharField(max_length=64, default="")
    contact_phone = pw.CharField(max_length=32, default="")


class Contract(BaseModel):
    """A group-exam agreement: who is covered, when, with which package, who pays."""

    organisation = pw.ForeignKeyField(Organisation, backref="contracts")
    name = pw.CharField(max_length=128)
    start_date = pw.DateField()
    end_date = pw.DateField()
    package = pw.ForeignKeyField(Package, null=True)
    male_package = pw.ForeignKeyField(Package, null=True)
    female_package = pw.ForeignKeyField(Package, null=True)
    # The organisation pays the package; add-ons are the guest's unless the
    # organisation also covers them up to an allowance.
    org_pays_package = pw.BooleanField(default=True)
    addon_allowance = MoneyField(default=0)
    active = pw.BooleanField(default=True)
    version = pw.IntegerField(default=1)  # migration 0008: edits, for a stale save to be refused
    # 0011: who changed it last, for the message of a refused stale save (services/versioning.py)
    updated_by = pw.CharField(max_length=64, default="")
    updated_desk = pw.CharField(max_length=64, default="")
    updated_at = UtcDateTimeField(null=True)


class Guest(BaseModel):
    name = pw.CharField(max_length=64)
    sex = pw.CharField(max_length=1)
    birth_date = pw.DateField(null=True)
    id_type = pw.CharField(max_length=16, default="resident_id")
    id_number = pw.CharField(max_length=32, null=True, index=True)
    phone = pw.CharField(max_length=20, null=True, index=True)
    pinyin_initials = pw.CharField(max_length=64, default="", index=True)
    organisation = pw.ForeignKeyField(Organisation, null=True, backref="guests")
    merged_into = pw.ForeignKeyField("self", null=True)
    created_at = UtcDateTimeField(default=utcnow)
    # 0011: optimistic locking: bumped by every edit, with who changed it last (services/versioning.py)
    version = pw.IntegerField(default=1)
    updated_by = pw.CharField(max_length=64, default="")
    updated_desk = pw.CharField(max_length=64, default="")
    updated_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("name", "birth_date"), False),)


class RosterEntry(BaseModel):
    """A person on an organisation's list for one contract (团检名单)."""

    contract = pw.ForeignKeyField(Contract, backref="roster", on_delete="CASCADE")
    name = pw.CharField(max_length=64)
    sex = pw.CharField(max_length=1)
    birth_date = pw.DateField(null=True)
    id_number = pw.CharField(max_length=32, null=True, index=True)
    phone = pw.CharField(max_length=20, null=True)
    grade = pw.CharField(max_length=32, default="")
    department = pw.CharField(max_length=64, default="")
    package = pw.ForeignKeyField(Package, null=True)
    guest = pw.ForeignKeyField(Guest, null=True, backref="roster_entries")


class Booking(BaseModel):
    booking_no = pw.CharField(unique=True, max_length=16)
    guest = pw.ForeignKeyField(Guest, backref="bookings")
    exam_date = pw.DateField(index=True)
    package = pw.ForeignKeyField(Package, null=True)
    contract = pw.ForeignKeyField(Contract, null=True)
    roster_entry = pw.ForeignKeyField(RosterEntry, null=True)
    source = pw.CharField(max_length=16)
    status = pw.CharField(max_length=16, index=True)
    note = pw.TextField(default="")
    reminded_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField(default=utcnow)
    created_by = pw.CharField(max_length=64, default="")
    # 0007: half-day, cancel / no-show records, the supervisor who booked over a full station
    half_day = pw.CharField(max_length=2, default="am")
    cancel_reason = pw.CharField(max_length=255, default="")
    cancelled_by = pw.CharField(max_length=64, default="")
    cancelled_at = UtcDateTimeField(null=True)
    no_show_by = pw.CharField(max_length=64, default="")
    no_show_at = UtcDateTimeField(null=True)
    override_reason = pw.CharField(max_length=255, default="")
    override_by = pw.CharField(max_length=64, default="")
    channel = pw.CharField(max_length=16, default="desk")
    no_show_undone_by = pw.CharField(max_length=64, default="")
    reminded_by = pw.CharField(max_length=64, default="")  # 0009: who ticked the guest as reminded
    # 0011: optimistic locking: bumped by every edit, with who changed it last (services/versioning.py)
    version = pw.IntegerField(default=1)
    updated_by = pw.CharField(max_length=64, default="")
    updated_desk = pw.CharField(max_length=64, default="")
    updated_at = UtcDateTimeField(null=True)


class Visit(BaseModel):
    visit_no = pw.CharField(unique=True, max_length=16)
    guest = pw.ForeignKeyField(Guest, backref="visits", index=True)
    visit_date = pw.DateField(index=True)
    package = pw.ForeignKeyField(Package, null=True)
    contract = pw.ForeignKeyField(Contract, null=True)
    booking = pw.ForeignKeyField(Booking, null=True)
    source = pw.CharField(max_length=16)
    status = pw.CharField(max_length=24, index=True)
    desk = pw.CharField(max_length=64, default="")
    checked_in_at = UtcDateTimeField(default=utcnow)
    checked_in_by = pw.CharField(max_length=64, default="")
    closed_at = UtcDateTimeField(null=True)
    closed_by = pw.CharField(max_length=64, default="")
    original_visit = pw.ForeignKeyField("self", null=True, backref="makeup_visits")  # a make-up visit's original (0005)
    # 0009: a visit prepared the day before from its booking (status "prepared"), and when the batch
    # printed the guest's document bag (cover and guide sheet): check-in does not print the sheet again.
    prepared_at = UtcDateTimeField(null=True)
    prepared_by = pw.CharField(max_length=64, default="")
    documents_printed_at = UtcDateTimeField(null=True)
    # 0011: optimistic locking: bumped by every edit, with who changed it last (services/versioning.py)
    version = pw.IntegerField(default=1)
    updated_by = pw.CharField(max_length=64, default="")
    updated_desk = pw.CharField(max_length=64, default="")
    updated_at = UtcDateTimeField(null=True)


class Specimen(BaseModel):
    barcode = pw.CharField(unique=True, max_length=16)
    visit = pw.ForeignKeyField(Visit, backref="specimens", index=True)
    tube_type = pw.ForeignKeyField(TubeType)
    status = pw.CharField(max_length=16, index=True)
    print_count = pw.IntegerField(default=0)
    created_at = UtcDateTimeField(default=utcnow)
    printed_at = UtcDateTimeField(null=True)
    collected_at = UtcDateTimeField(null=True)
    collected_by = pw.CharField(max_length=64, default="")
    sent_at = UtcDateTimeField(null=True)
    sent_by = pw.CharField(max_length=64, default="")
    cancelled_at = UtcDateTimeField(null=True)
    handover_no = pw.CharField(max_length=16, null=True, index=True)


class VisitItem(BaseModel):
    visit = pw.ForeignKeyField(Visit, backref="items", index=True)
    item = pw.ForeignKeyField(ExamItem)
    status = pw.CharField(max_length=16)
    is_addon = pw.BooleanField(default=False)
    price = MoneyField()
    payer = pw.CharField(max_length=16)
    specimen = pw.ForeignKeyField(Specimen, null=True, backref="visit_items")
    added_at = UtcDateTimeField(default=utcnow)
    added_by = pw.CharField(max_length=64, default="")
    done_at = UtcDateTimeField(null=True)
    deferred_to = pw.DateField(null=True)
    reason = pw.CharField(max_length=255, default="")
    # Close-out (migration 0005): who marked it done, who deferred/abandoned it and when, the guest's
    # confirmation of an abandoned item, the deferral's state and, on a make-up visit, the item it makes up.
    done_by = pw.CharField(max_length=64, default="")
    resolved_by = pw.CharField(max_length=64, default="")
    resolved_at = UtcDateTimeField(null=True)
    guest_confirmed = pw.BooleanField(default=False)
    deferral_state = pw.CharField(max_length=16, default="")
    makeup_of = pw.ForeignKeyField("self", null=True, backref="makeups")


class Receipt(BaseModel):
    receipt_no = pw.CharField(unique=True, max_length=16)
    visit = pw.ForeignKeyField(Visit, backref="receipts", index=True)
    kind = pw.CharField(max_length=16)
    status = pw.CharField(max_length=16)
    total = MoneyField()
    issued_at = UtcDateTimeField(default=utcnow, index=True)
    cashier = pw.CharField(max_length=64)
    desk = pw.CharField(max_length=64)
    refund_of = pw.ForeignKeyField("self", null=True)
    voided_at = UtcDateTimeField(null=True)
    voided_by = pw.CharField(max_length=64, default="")
    void_reason = pw.CharField(max_length=255, default="")


class ReceiptLine(BaseModel):
    receipt = pw.ForeignKeyField(Receipt, backref="lines", on_delete="CASCADE")
    visit_item = pw.ForeignKeyField(VisitItem, null=True)
    description = pw.CharField(max_length=128)
    amount = MoneyField()
    payer = pw.CharField(max_length=16)


class Payment(BaseModel):
    receipt = pw.ForeignKeyField(Receipt, backref="payments", on_delete="CASCADE")
    method = pw.CharField(max_length=16)
    amount = MoneyField()
    tendered = MoneyField(null=True)
    change = MoneyField(default=0)


class Belonging(BaseModel):
    """Belongings kept for a guest under a tag; a tag is out to one guest at a time."""

    visit = pw.ForeignKeyField(Visit, backref="belongings")
    tag_no = pw.CharField(max_length=16)
    description = pw.CharField(max_length=128, default="")
    status = pw.CharField(max_length=16)
    stored_at = UtcDateTimeField(default=utcnow)
    stored_by = pw.CharField(max_length=64, default="")
    returned_at = UtcDateTimeField(null=True)
    returned_by = pw.CharField(max_length=64, default="")


class ReportHandout(BaseModel):
    visit = pw.ForeignKeyField(Visit, backref="handouts")
    method = pw.CharField(max_length=16)
    recipient_name = pw.CharField(max_length=64, default="")
    recipient_id_number = pw.CharField(max_length=32, default="")
    tracking_no = pw.CharField(max_length=64, default="")
    appointment_at = UtcDateTimeField(null=True)
    handed_at = UtcDateTimeField(null=True)
    handed_by = pw.CharField(max_length=64, default="")
    # Migration 0006: the proxy's relation and the authorisation seen, the
    # courier, the signature, and the supervisor who allowed a repeat.
    proxy_relation = pw.CharField(max_length=32, default="")
    authorisation_seen = pw.BooleanField(default=False)
    courier_company = pw.CharField(max_length=64, default="")
    signature_png = pw.BlobField(null=True)
    desk = pw.CharField(max_length=64, default="")
    repeat = pw.BooleanField(default=False)
    authorised_by = pw.CharField(max_length=64, default="")


ALL_MODELS = [
    SchemaMeta, Setting, Counter, User, AuditLog, Station, TubeType, ExamItem, Package, PackageItem,
    Organisation, Contract, Guest, RosterEntry, Booking, Visit, Specimen, VisitItem, Receipt, ReceiptLine,
    Payment, Belonging, ReportHandout,
]


class ReportArrival(BaseModel):
    """A visit's report reached the desk (migration 0006): one per visit, filed on a shelf."""

    visit = pw.ForeignKeyField(Visit, backref="report_arrivals", unique=True)
    received_at = UtcDateTimeField(default=utcnow, index=True)
    received_by = pw.CharField(max_length=64)
    desk = pw.CharField(max_length=64, default="")
    shelf_no = pw.CharField(max_length=16, default="")


class PickupAppointment(BaseModel):
    """A date and time slot to collect a report or for a consultation (migration 0006)."""

    visit = pw.ForeignKeyField(Visit, backref="pickup_appointments", index=True)
    guest = pw.ForeignKeyField(Guest, index=True)
    day = pw.DateField()
    slot = pw.CharField(max_length=16)
    kind = pw.CharField(max_length=16)
    status = pw.CharField(max_length=16)
    note = pw.CharField(max_length=128, default="")
    created_at = UtcDateTimeField(default=utcnow)
    created_by = pw.CharField(max_length=64, default="")


class ReportCall(BaseModel):
    """The desk called a guest whose report waits (a tick on the call list, migration 0006)."""

    visit = pw.ForeignKeyField(Visit, backref="report_calls", index=True)
    called_at = UtcDateTimeField(default=utcnow)
    called_by = pw.CharField(max_length=64)
    note = pw.CharField(max_length=255, default="")


ALL_MODELS += [ReportArrival, PickupAppointment, ReportCall]


class BookingItem(BaseModel):
    """A single item booked on top of (or instead of) the package (migration 0007)."""

    booking = pw.ForeignKeyField(Booking, backref="extra_items", on_delete="CASCADE")
    item = pw.ForeignKeyField(ExamItem)

    class Meta:
        indexes = ((("booking", "item"), True),)


class CapacityRule(BaseModel):
    """A station's (or, station NULL, the whole centre's) limit on a weekday, 0 = Monday (migration 0007)."""

    station = pw.ForeignKeyField(Station, null=True)
    weekday = pw.IntegerField()
    daily_limit = pw.IntegerField()
    updated_by = pw.CharField(max_length=64)
    updated_at = UtcDateTimeField(default=utcnow)


class CapacityException(BaseModel):
    """A date's own limit for a station or the whole centre: a holiday, a closure (migration 0007)."""

    station = pw.ForeignKeyField(Station, null=True)
    day = pw.DateField()
    closed = pw.BooleanField(default=False)
    daily_limit = pw.IntegerField(null=True)
    note = pw.CharField(max_length=128, default="")
    updated_by = pw.CharField(max_length=64)
    updated_at = UtcDateTimeField(default=utcnow)


ALL_MODELS += [BookingItem, CapacityRule, CapacityException]


class ContractPackageRule(BaseModel):
    """A contract's package for people of a sex, age band and grade (职级); empty = any (migration 0008)."""

    contract = pw.ForeignKeyField(Contract, backref="package_rules", on_delete="CASCADE")
    sex = pw.CharField(max_length=1, null=True)
    min_age = pw.IntegerField(null=True)
    max_age = pw.IntegerField(null=True)
    grade = pw.CharField(max_length=32, null=True)
    package = pw.ForeignKeyField(Package)
    sort_order = pw.IntegerField(default=0)


ALL_MODELS += [ContractPackageRule]


class DayClose(BaseModel):
    """A day closed (日结) after the cash count, per desk or for the whole site (desk "") (migration 0010)."""

    day = pw.DateField()
    desk = pw.CharField(max_length=64, default="")
    scope = pw.CharField(max_length=8)
    closed_by = pw.CharField(max_length=64)
    closed_at = UtcDateTimeField(default=utcnow)
    cash_expected = MoneyField()
    cash_counted = MoneyField()
    cash_difference = MoneyField()
    figures = pw.TextField()  # the report as signed, services.eod.to_json

    class Meta:
        indexes = ((("day", "desk"), True),)


ALL_MODELS += [DayClose]
