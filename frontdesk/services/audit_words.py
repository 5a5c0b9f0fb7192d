"""The audit log in words: action codes and details as the desk reads them, in the UI language.

The log stores stable codes (``visit_item.refund``) and JSON details so that
it can be searched and never changes meaning; the screen shows
"退项退款" and "金额（客人）：¥80.00" instead.  An action without its own
phrase is put together from its parts (``booking.move`` -> 预约·改期), and
a detail without its own word shows its key with the underscores as spaces,
so an action added later is still readable.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from frontdesk.i18n import tr

# Whole actions: code -> (中文, English).
ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "Signed in"),
    "login.failed": ("登录失败", "Sign-in failed"),
    "user.create": ("新建账号", "Account created"),
    "user.password": ("修改密码", "Password changed"),
    "guest.register": ("登记新客人", "Guest registered"),
    "guest.update": ("修改客人信息", "Guest details changed"),
    "guest.merge": ("合并客人记录", "Guest records merged"),
    "visit.check_in": ("报到", "Checked in"),
    "visit.check_in_makeup": ("补检报到", "Make-up visit checked in"),
    "visit.add_items": ("增项收费", "Items added and paid"),
    "visit.close": ("体检结束", "Visit closed"),
    "visit.reopen": ("重新打开体检", "Visit reopened"),
    "visit_item.refund": ("退项退款", "Item refunded"),
    "visit_item.done": ("项目完成", "Item done"),
    "visit_item.defer": ("项目缓检", "Item deferred"),
    "visit_item.abandon": ("项目弃检", "Item abandoned"),
    "visit_item.reset": ("项目恢复待检", "Item back to pending"),
    "authorise": ("主管授权", "Supervisor authorised"),
    "authorise.refused": ("授权被拒（非主管账号）", "Authorisation refused (not a supervisor)"),
    "authorise.failed": ("主管授权密码错误", "Supervisor authorisation: wrong password"),
    "receipt.void": ("作废收据", "Receipt voided"),
    "receipt.print": ("打印收据", "Receipt printed"),
    "receipt.reprint": ("补打收据", "Receipt reprinted"),
    "guide_sheet.print": ("打印导检单", "Guide sheet printed"),
    "guide_sheet.reprint": ("补打导检单", "Guide sheet reprinted"),
    "deferral_slip.print": ("打印缓检单", "Deferral slip printed"),
    "deferral_slip.reprint": ("补打缓检单", "Deferral slip reprinted"),
    "handover.print": ("打印交接单", "Hand-over list printed"),
    "handover.reprint": ("补打交接单", "Hand-over list reprinted"),
    "label.print": ("打印条码标签", "Labels printed"),
    "label.reprint": ("补打条码标签", "Labels reprinted"),
    "label.replace": ("重打条码标签（内容已变）", "Label printed anew (contents changed)"),
    "label.void": ("作废条码标签", "Label voided"),
    "labels.export": ("导出条码标签文件", "Label files exported"),
    "specimen.receive": ("接收标本", "Specimen received"),
    "specimen.handover": ("标本交接", "Specimens handed over"),
    "belonging.store": ("寄存物品", "Belongings stored"),
    "belonging.return": ("归还物品", "Belongings returned"),
    "booking.create": ("新建预约", "Booking made"),
    "booking.move": ("预约改期", "Booking moved"),
    "booking.cancel": ("取消预约", "Booking cancelled"),
    "booking.no_show": ("标记爽约", "Marked no-show"),
    "booking.no_show_undo": ("撤销爽约", "No-show undone"),
    "booking.capacity_override": ("超额预约（主管批准）", "Booking over capacity (supervisor)"),
    "booking.remind": ("标记已检前提醒", "Marked as reminded"),
    "booking.remind_undo": ("撤销检前提醒标记", "Reminder tick taken back"),
    "reminders.export": ("导出检前提醒名单（含手机号）", "Reminder list exported (with phone numbers)"),
    "visit.prepare": ("预先备单（体检号已生成）", "Visit prepared ahead"),
    "visit.prepare_cancel": ("取消已备单的体检", "Prepared visit cancelled"),
    "document_bag.print": ("打印资料袋（封面和导检单）", "Document bag printed (cover and guide sheet)"),
    "document_bag.reprint": ("补打资料袋", "Document bag reprinted"),
    "booking_order.print": ("打印单位预订单", "Booking order sheet printed"),
    "booking.remind": ("已提醒预约客人", "Guest reminded of the booking"),
    "booking.remind_undo": ("撤销预约提醒", "Booking reminder undone"),
    "reminders.export": ("导出提醒名单", "Reminder list exported"),
    "booking_order.print": ("打印单位预约单", "Booking order printed"),
    "roster.book": ("按团检名单预约", "Roster booked"),
    "visit.prepare": ("提前准备体检资料", "Visit prepared in advance"),
    "visit.prepare_cancel": ("取消提前准备", "Advance preparation cancelled"),
    "document_bag.print": ("打印资料袋", "Document bag printed"),
    "document_bag.reprint": ("补打资料袋", "Document bag reprinted"),
    "capacity.weekday": ("修改每日名额", "Daily capacity changed"),
    "capacity.exception": ("设置特殊日期名额", "Capacity exception set"),
    "capacity.exception_remove": ("删除特殊日期名额", "Capacity exception removed"),
    "contract.create": ("新建团检合同", "Contract created"),
    "contract.update": ("修改团检合同", "Contract changed"),
    "contract.activate": ("启用团检合同", "Contract switched on"),
    "contract.deactivate": ("停用团检合同", "Contract switched off"),
    "organisation.update": ("修改单位", "Organisation changed"),
    "organisation.create": ("新建单位", "Organisation created"),
    "roster.import": ("导入团检名单", "Roster imported"),
    "roster.add": ("添加名单人员", "Roster entry added"),
    "makeup.refused": ("拒绝补检", "Make-up visit refused"),
    "deferral.move": ("缓检改期", "Deferral moved"),
    "deferral.cancel": ("取消缓检", "Deferral cancelled"),
    "report.receive": ("接收报告", "Report received"),
    "report.handout": ("领取报告", "Report handed out"),
    "report.handout.repeat_authorised": ("再次领取报告（主管批准）", "Report handed out again (supervisor)"),
    "report.call": ("通知领取报告", "Guest called for the report"),
    "report.call_list.export": ("导出通知名单", "Call list exported"),
    "report.appointments.export": ("导出领取预约", "Pick-up appointments exported"),
    "report.pickup.book": ("预约领取报告", "Report pick-up booked"),
    "report.pickup.cancel": ("取消领取预约", "Report pick-up cancelled"),
    "eod.close": ("日结", "Day closed"),
    "eod.view_unmasked": ("查看日结明细（未遮盖）", "Day report viewed unmasked"),
    "eod.export": ("导出日结报表", "Day report exported"),
    "eod_report.print": ("打印日结报表", "Day report printed"),
    "eod_report.reprint": ("补打日结报表", "Day report printed again"),
    "eod.correction": ("更正已日结的日期", "Correction of a closed day"),
    "setting.change": ("修改设置", "Setting changed"),
    "workstation.change": ("修改工作站设置", "Workstation setting changed"),
    "catalogue.seed": ("载入项目目录", "Catalogue loaded"),
    "demo.generate": ("生成演示数据", "Demo data generated"),
}

# Parts of actions not listed above, composed as "noun·verb".
_NOUNS: dict[str, tuple[str, str]] = {
    "visit": ("体检", "Visit"), "visit_item": ("项目", "Item"), "guest": ("客人", "Guest"),
    "receipt": ("收据", "Receipt"), "booking": ("预约", "Booking"), "user": ("账号", "Account"),
    "label": ("标签", "Label"), "labels": ("标签", "Labels"), "specimen": ("标本", "Specimen"),
    "belonging": ("寄存物品", "Belongings"), "contract": ("合同", "Contract"), "roster": ("名单", "Roster"),
    "report": ("报告", "Report"), "deferral": ("缓检", "Deferral"), "capacity": ("名额", "Capacity"),
    "setting": ("设置", "Setting"), "workstation": ("工作站", "Workstation"), "day": ("日结", "Day"),
    "organisation": ("单位", "Organisation"), "catalogue": ("项目目录", "Catalogue"),
    "guide_sheet": ("导检单", "Guide sheet"), "handover": ("交接单", "Hand-over list"), "login": ("登录", "Sign-in"),
    "demo": ("演示数据", "Demo data"), "file": ("文件", "File"), "station": ("科室", "Station"),
    "pickup_appointment": ("领取预约", "Pick-up appointment"), "report_handout": ("报告领取", "Report hand-out"),
    "roster_entry": ("名单人员", "Roster entry"), "makeup": ("补检", "Make-up visit"),
}
_VERBS: dict[str, tuple[str, str]] = {
    "create": ("新建", "created"), "update": ("修改", "changed"), "change": ("修改", "changed"),
    "delete": ("删除", "deleted"), "remove": ("删除", "removed"), "cancel": ("取消", "cancelled"),
    "print": ("打印", "printed"), "reprint": ("补打", "reprinted"), "export": ("导出", "exported"),
    "import": ("导入", "imported"), "void": ("作废", "voided"), "refund": ("退款", "refunded"),
    "close": ("结束", "closed"), "reopen": ("重新打开", "reopened"), "move": ("改期", "moved"),
    "receive": ("接收", "received"), "failed": ("失败", "failed"), "add": ("添加", "added"),
}

# Detail keys -> (中文, English).
DETAIL_KEYS: dict[str, tuple[str, str]] = {
    "visit_no": ("体检号", "Visit no."), "booking_no": ("预约号", "Booking no."),
    "receipt_no": ("收据号", "Receipt no."), "refunds_receipt_no": ("原收据号", "Original receipt"),
    "original_visit_no": ("原体检号", "Original visit"), "reprint_no": ("补打次数", "Reprint no."),
    "reason": ("原因", "Reason"), "item": ("项目", "Item"), "items": ("项目", "Items"), "package": ("套餐", "Package"),
    "guest": ("客人", "Guest"), "name": ("姓名", "Name"), "username": ("用户名", "User name"), "role": ("角色", "Role"),
    "method": ("方式", "Method"), "methods": ("方式", "Methods"), "total": ("金额", "Amount"),
    "guest_total": ("客人支付", "Paid by the guest"), "org_total": ("单位支付", "Paid by the organisation"),
    "guest_refund": ("退给客人", "Refunded to the guest"), "org_refund": ("退回单位", "Refunded to the organisation"),
    "refund": ("退款", "Refund"), "number": ("编号", "Number"), "pages": ("页数", "Pages"),
    "output": ("输出", "Output"), "destination": ("打印到", "Sent to"), "barcode": ("条码号", "Barcode"),
    "barcodes": ("条码号", "Barcodes"), "tube": ("容器", "Container"), "labels": ("标签数", "Labels"),
    "files": ("文件数", "Files"), "folder": ("文件夹", "Folder"), "file": ("文件", "File"), "format": ("格式", "Format"),
    "os_user": ("系统用户", "System user"), "host": ("计算机", "Computer"), "moment": ("时机", "When"),
    "tag": ("寄存牌号", "Tag"), "shelf": ("货架", "Shelf"), "station": ("科室", "Station"), "count": ("数量", "Count"),
    "rows": ("行数", "Rows"), "rejected": ("拒绝行数", "Rejected rows"), "contract": ("合同", "Contract"),
    "organisation": ("单位", "Organisation"), "exam_date": ("体检日期", "Exam date"), "day": ("日期", "Day"),
    "from_date": ("原日期", "From"), "to_date": ("新日期", "To"), "deferred_to": ("缓检至", "Deferred to"),
    "key": ("设置项", "Setting"), "old": ("原值", "Old value"), "new": ("新值", "New value"),
    "before": ("修改前", "Before"), "after": ("修改后", "After"), "changed": ("修改内容", "Changed"),
    "field": ("字段", "Field"), "note": ("备注", "Note"), "warnings": ("提示", "Warnings"),
    "visit_cancelled": ("体检已取消", "Visit cancelled"), "voided": ("作废", "Voided"),
    "print_count": ("打印次数", "Prints"), "attempts": ("尝试次数", "Attempts"), "channel": ("通知方式", "Channel"),
    "copies": ("份数", "Copies"), "id_number": ("证件号", "ID number"), "masked": ("已遮盖", "Masked"),
    "addon_allowance": ("增项额度", "Add-on allowance"), "closed_by": ("结束人", "Closed by"),
    "handed_by": ("交接人", "Handed over by"), "marked_by": ("标记人", "Marked by"), "kind": ("类型", "Kind"),
    "added": ("新增", "Added"), "dropped": ("删除", "Dropped"), "slot": ("时段", "Slot"), "start": ("开始", "Start"),
    "end": ("结束", "End"), "limit": ("上限", "Limit"), "desk": ("工作站", "Desk"), "scope": ("范围", "Scope"),
    "expected": ("应有", "Expected"), "days": ("天数", "Days"), "closed": ("停止接待", "Closed"),
    "counted": ("实点", "Counted"), "difference": ("差额", "Difference"), "net": ("净额", "Net"),
    "closed_day": ("更正的日结日期", "Closed day corrected"), "original_receipt_no": ("原收据号", "Original receipt"),
    "amount": ("金额", "Amount"),
    "with_phones": ("含手机号行数", "Rows with phone numbers"), "path": ("文件", "File"),
    "bookings": ("预约", "Bookings"), "booking": ("预约", "Booking"), "printed_labels": ("已打印的标签", "Labels printed"),
    "documents_printed": ("资料袋已打印", "Document bag printed"),
}

# Keys whose value is money: shown as ¥1,234.50.
_MONEY_KEYS = {"total", "guest_total", "org_total", "guest_refund", "org_refund", "refund", "addon_allowance",
               "expected", "counted", "difference", "net", "amount"}


def action_text(code: str) -> str:
    """The action in words: its own phrase, else composed from its parts, else the code itself."""
    if code in ACTIONS:
        return tr(*ACTIONS[code])
    noun, _, verb = code.partition(".")
    verb = verb.rsplit(".", 1)[-1]
    if noun in _NOUNS and verb in _VERBS:
        zh = _NOUNS[noun][0] + _VERBS[verb][0]
        en = f"{_NOUNS[noun][1]} {_VERBS[verb][1]}"
        return tr(zh, en)
    return code


def key_text(key: str) -> str:
    if key in DETAIL_KEYS:
        return tr(*DETAIL_KEYS[key])
    return key.replace("_", " ")


def _value_text(key: str, value: object) -> str:
    from frontdesk.domain.enums import PaymentMethod, Role

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return tr("是", "yes") if value else tr("否", "no")
    if isinstance(value, list):
        return "、".join(_value_text(key, v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{key_text(k)} {_value_text(k, v)}" for k, v in value.items())
    if key in _MONEY_KEYS:
        from frontdesk.domain.money import format_amount

        try:
            return format_amount(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if key == "method":
        try:
            return PaymentMethod(value).label()
        except ValueError:
            return str(value)
    if key == "role":
        try:
            return Role(value).label()
        except ValueError:
            return str(value)
    if key == "output":
        return {"pdf": tr("PDF 文件", "PDF file"), "printer": tr("打印机", "printer")}.get(str(value), str(value))
    return str(value)


def details_lines(details: str) -> list[tuple[str, str]]:
    """The stored JSON details as (word, value) pairs in the UI language; text that is not JSON as one line."""
    if not details:
        return []
    try:
        data = json.loads(details)
    except ValueError:
        return [(tr("详情", "Details"), details)]
    if not isinstance(data, dict):
        return [(tr("详情", "Details"), str(data))]
    return [(key_text(key), _value_text(key, value)) for key, value in data.items()]


def details_text(details: str, separator: str | None = None) -> str:
    """The details on one line: "体检号：26112300012；原因：客人不做"."""
    sep = separator if separator is not None else tr("；", "; ")
    colon = tr("：", ": ")
    return sep.join(f"{word}{colon}{value}" for word, value in details_lines(details))


def record_text(record_type: str, record_id: str) -> str:
    """The record an entry is about: "收据 12" instead of "receipt 12"."""
    if not record_type:
        return record_id
    noun = tr(*_NOUNS[record_type]) if record_type in _NOUNS else record_type.replace("_", " ")
    return f"{noun} {record_id}".strip()
