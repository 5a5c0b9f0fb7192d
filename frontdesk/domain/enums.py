"""The life cycles and kinds the desk works with, stored by their string value."""

from __future__ import annotations

import enum

from frontdesk.i18n import tr


class LabelledEnum(str, enum.Enum):
    """A string enum whose members know their label in the current language."""

    def label(self) -> str:
        zh, en = self._labels()[self]
        return tr(zh, en)

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label()) for m in cls]


class Role(LabelledEnum):
    RECEPTION = "reception"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @classmethod
    def _labels(cls):
        return {cls.RECEPTION: ("前台接待", "Reception"), cls.SUPERVISOR: ("前台主管", "Supervisor"),
                cls.ADMIN: ("系统管理员", "Administrator")}

    def rank(self) -> int:
        return {Role.RECEPTION: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}[self]


class IdType(LabelledEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hkmo_permit"
    TAIWAN_PERMIT = "tw_permit"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.RESIDENT_ID: ("居民身份证", "Resident ID card"), cls.PASSPORT: ("护照", "Passport"),
                cls.HK_MACAO_PERMIT: ("港澳居民来往内地通行证", "Hong Kong/Macao permit"),
                cls.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "Taiwan permit"), cls.OTHER: ("其他证件", "Other")}


class VisitSource(LabelledEnum):
    WALK_IN = "walk_in"
    BOOKING = "booking"
    GROUP = "group"

    @classmethod
    def _labels(cls):
        return {cls.WALK_IN: ("散客", "Walk-in"), cls.BOOKING: ("预约", "Booking"), cls.GROUP: ("团检", "Group")}


class VisitStatus(LabelledEnum):
    # 已备单: made the day before from a booking (services/preparation.py) so its guide sheet and
    # labels can be printed ahead; not arrived.  Check-in of the booking turns the same visit CHECKED_IN.
    PREPARED = "prepared"
    CHECKED_IN = "checked_in"      # 已报到: guide sheet out, items pending
    CLOSED = "closed"              # 已交单，待报告: guide sheet returned and checked, report awaited
    REPORT_READY = "report_ready"  # 报告已到前台
    REPORT_HANDED_OUT = "report_handed_out"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.PREPARED: ("已备单", "Prepared"), cls.CHECKED_IN: ("已报到", "Checked in"), cls.CLOSED: ("已交单待报告", "Awaiting report"),
                cls.REPORT_READY: ("报告待领", "Report ready"),
                cls.REPORT_HANDED_OUT: ("报告已领", "Report handed out"), cls.CANCELLED: ("已取消", "Cancelled")}


class ItemStatus(LabelledEnum):
    PENDING = "pending"
    DONE = "done"
    DEFERRED = "deferred"
    ABANDONED = "abandoned"
    REFUNDED = "refunded"

    @classmethod
    def _labels(cls):
        return {cls.PENDING: ("待检", "Pending"), cls.DONE: ("已检", "Done"), cls.DEFERRED: ("缓检", "Deferred"),
                cls.ABANDONED: ("弃检", "Abandoned"), cls.REFUNDED: ("已退项", "Refunded")}


class Payer(LabelledEnum):
    GUEST = "guest"
    ORGANISATION = "organisation"

    @classmethod
    def _labels(cls):
        return {cls.GUEST: ("个人", "Guest"), cls.ORGANISATION: ("单位", "Organisation")}


class ContainerKind(LabelledEnum):
    BLOOD = "blood"
    URINE = "urine"
    STOOL = "stool"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.BLOOD: ("采血管", "Blood tube"), cls.URINE: ("尿杯", "Urine cup"),
                cls.STOOL: ("采便器", "Stool container"), cls.OTHER: ("其他容器", "Other container")}


class LabelMoment(LabelledEnum):
    """When a container's label is printed."""

    CHECK_IN = "check_in"   # blood tubes: labels print with the guide sheet
    HAND_IN = "hand_in"     # urine/stool: labelled when the guest hands it in
    BOTH = "both"

    @classmethod
    def _labels(cls):
        return {cls.CHECK_IN: ("报到时打印", "At check-in"), cls.HAND_IN: ("交回时打印", "When handed in"),
                cls.BOTH: ("报到及交回时", "Both")}


class SpecimenStatus(LabelledEnum):
    CREATED = "created"
    LABEL_PRINTED = "label_printed"
    COLLECTED = "collected"
    SENT = "sent"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.CREATED: ("待打印", "Created"), cls.LABEL_PRINTED: ("已打印", "Label printed"),
                cls.COLLECTED: ("已采集", "Collected"), cls.SENT: ("已送检", "Sent to lab"),
                cls.CANCELLED: ("已作废", "Cancelled")}


class PaymentMethod(LabelledEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    ORG_ACCOUNT = "org_account"

    @classmethod
    def _labels(cls):
        return {cls.CASH: ("现金", "Cash"), cls.CARD: ("银行卡", "Bank card"), cls.WECHAT: ("微信支付", "WeChat Pay"),
                cls.ALIPAY: ("支付宝", "Alipay"), cls.ORG_ACCOUNT: ("单位记账", "Organisation account")}


class ReceiptKind(LabelledEnum):
    CHARGE = "charge"
    REFUND = "refund"

    @classmethod
    def _labels(cls):
        return {cls.CHARGE: ("收费", "Charge"), cls.REFUND: ("退费", "Refund")}


class ReceiptStatus(LabelledEnum):
    ISSUED = "issued"
    VOID = "void"

    @classmethod
    def _labels(cls):
        return {cls.ISSUED: ("有效", "Issued"), cls.VOID: ("已作废", "Void")}


class BookingStatus(LabelledEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @classmethod
    def _labels(cls):
        return {cls.BOOKED: ("已预约", "Booked"), cls.CHECKED_IN: ("已到检", "Checked in"),
                cls.CANCELLED: ("已取消", "Cancelled"), cls.NO_SHOW: ("未到", "No-show")}


class BelongingStatus(LabelledEnum):
    STORED = "stored"
    RETURNED = "returned"

    @classmethod
    def _labels(cls):
        return {cls.STORED: ("寄存中", "Stored"), cls.RETURNED: ("已归还", "Returned")}


class HandoutMethod(LabelledEnum):
    IN_PERSON = "in_person"
    PROXY = "proxy"
    MAILED = "mailed"

    @classmethod
    def _labels(cls):
        return {cls.IN_PERSON: ("本人领取", "In person"), cls.PROXY: ("代领", "Proxy"), cls.MAILED: ("邮寄", "Mailed")}


class DeferralState(LabelledEnum):
    """A deferred item's (缓检) life: open until made up on a make-up visit or cancelled."""

    OPEN = "open"
    USED = "used"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: ("待补检", "Open"), cls.USED: ("已补检", "Made up"), cls.CANCELLED: ("已取消", "Cancelled")}


class PickupKind(LabelledEnum):
    """Why a guest books a slot at the desk after the exam."""

    REPORT = "report"              # 预约领取健康评估报告
    CONSULTATION = "consultation"  # 报告解读/咨询

    @classmethod
    def _labels(cls):
        return {cls.REPORT: ("领取报告", "Report pickup"), cls.CONSULTATION: ("报告咨询", "Consultation")}


class PickupStatus(LabelledEnum):
    BOOKED = "booked"
    DONE = "done"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.BOOKED: ("已预约", "Booked"), cls.DONE: ("已完成", "Done"), cls.CANCELLED: ("已取消", "Cancelled")}
