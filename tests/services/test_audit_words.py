"""Audit entries in words: every action the services record has a phrase, details read as "word: value"."""

import json
import re
from pathlib import Path

import pytest

from frontdesk import i18n
from frontdesk.services import audit_words

SOURCE = Path(audit_words.__file__).resolve().parents[1]


def _recorded_actions() -> set[str]:
    """Every literal action code passed to audit.record in the code base."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        # The action argument, also when it is chosen: "a.print" if first else "a.reprint".
        for arg in re.findall(r"audit\.record\(\s*\w+,\s*(\"[a-z_.]+\"(?:\s+if\s+[^\n]+?\s+else\s+\"[a-z_.]+\")?)",
                              text):
            found |= set(re.findall(r"\"([a-z_.]+)\"", arg))
        # Actions kept in constants first (labels: PRINT, REPLACE, REPRINT = "label.print", ...).
        for names in re.findall(r"^[A-Z_, ]+= (\"[a-z_]+\.[a-z_.]+\"(?:, \"[a-z_]+\.[a-z_.]+\")*)$", text, re.M):
            found |= set(re.findall(r"\"([a-z_.]+)\"", names))
    return found


def test_every_recorded_action_has_its_own_phrase_in_both_languages():
    actions = _recorded_actions()
    assert "visit_item.refund" in actions and len(actions) > 20  # the scan finds the calls
    missing = sorted(a for a in actions if a not in audit_words.ACTIONS)
    assert not missing, f"actions without a phrase in audit_words.ACTIONS: {missing}"


@pytest.mark.parametrize("code, zh, en", [
    ("visit_item.refund", "退项退款", "Item refunded"),
    ("receipt.reprint", "补打收据", "Receipt reprinted"),
    ("login.failed", "登录失败", "Sign-in failed"),
])
def test_action_codes_read_as_words_in_the_ui_language(code, zh, en):
    assert audit_words.action_text(code) == zh
    i18n.set_language("en")
    assert audit_words.action_text(code) == en


def test_an_unlisted_action_is_composed_from_its_parts():
    assert audit_words.action_text("booking.delete") == "预约删除"
    assert audit_words.action_text("something.odd") == "something.odd"


def test_details_are_key_value_lines_in_words_not_json():
    details = json.dumps({"visit_no": "26112300012", "guest_refund": "80.00", "method": "cash",
                          "visit_cancelled": False, "items": [3, 5], "reason": "客人不做"}, ensure_ascii=False)
    text = audit_words.details_text(details)
    assert text == "体检号：26112300012；退给客人：¥80.00；方式：现金；体检已取消：否；项目：3、5；原因：客人不做"
    assert "{" not in text and '"' not in text


def test_details_in_english(monkeypatch):
    i18n.set_language("en")
    text = audit_words.details_text(json.dumps({"receipt_no": "9000000019", "total": "1090", "output": "pdf"}))
    assert text == "Receipt no.: 9000000019; Amount: ¥1,090.00; Output: PDF file"


def test_an_unknown_detail_key_shows_as_words_and_non_json_text_as_it_is():
    assert audit_words.details_lines('{"new_thing": 1}') == [("new thing", "1")]
    assert audit_words.details_lines("plain text") == [("详情", "plain text")]
    assert audit_words.details_lines("") == []


def test_record_reads_as_a_noun():
    assert audit_words.record_text("receipt", "12") == "收据 12"
    assert audit_words.record_text("", "") == ""
