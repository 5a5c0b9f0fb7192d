"""Money: ``decimal.Decimal`` yuan in code, integer cents (分) in storage."""

from __future__ import annotations

import re
from decimal import Decimal

from frontdesk.domain.text import normalize_input
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

# No single charge at a front desk comes near this; more is a slipped key.
MAX_AMOUNT = Decimal("1000000")
_CENT = Decimal("0.01")
# Commas only where thousands separators go: "1,5" must not become 15.
_AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?")
_FIELD = "amount"


def _whole_cents(amount: Decimal) -> bool:
    # Read the digits rather than quantize(), which raises past 28 digits.
    if not amount.is_finite():
        return False
    _, digits, exponent = amount.as_tuple()
    below_cents = -2 - exponent
    return below_cents <= 0 or not any(digits[-below_cents:])


def to_cents(amount: Decimal) -> int:
    """Exact integer cents; ValueError for fractions of a cent (1.005)."""
    if not isinstance(amount, Decimal):
        # A float here would already have lost exactness.
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    if not _whole_cents(amount):
        raise ValueError(f"{amount} is not a whole number of cents")
    _, digits, exponent = amount.as_tuple()
    magnitude = int("".join(map(str, digits)))
    shift = exponent + 2
    # Exact: any digits dropped by the division are zeros (checked above).
    cents = magnitude * 10**shift if shift >= 0 else magnitude // 10**-shift
    return -cents if amount.is_signed() else cents


def from_cents(cents: int) -> Decimal:
    """Cents to yuan with two decimals: 150 -> Decimal('1.50')."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be int, got {type(cents).__name__}")
    return Decimal(cents).scaleb(-2)


def _invalid(zh: str, en: str) -> ValidationError:
    return ValidationError(tr(zh, en), field=_FIELD)


def parse_amount(text: str, *, allow_zero: bool = True) -> Decimal:
    """An amount typed at the desk, as Decimal with two decimals.

    Accepts full-width digits, ¥/元 and thousands commas.  Trailing zeros
    beyond two decimals (12.500) are accepted since they change nothing.
    """
    cleaned = normalize_input(text)
    # NFKC has already turned ￥ into ¥.
    for noise in ("¥", "元", " "):
        cleaned = cleaned.replace(noise, "")
    if not cleaned:
        raise _invalid("请输入金额", "Enter an amount")
    if not _AMOUNT.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        raise _invalid("金额必须是数字", "The amount must be a number")
    amount = Decimal(cleaned.replace(",", ""))
    if amount < 0:
        raise _invalid("金额不能为负数", "The amount cannot be negative")
    if not _whole_cents(amount):
        raise _invalid("金额最多两位小数", "An amount has at most two decimals")
    if amount > MAX_AMOUNT:
        raise _invalid("金额过大，请核对", "The amount is too large: please check it")
    if amount == 0 and not allow_zero:
        raise _invalid("金额必须大于零", "The amount must be more than zero")
    # abs() turns "-0" (Decimal('-0')) into a plain zero.
    return abs(amount).quantize(_CENT)


def format_amount(amount: Decimal) -> str:
    """Decimal('1234.5') -> '¥1,234.50'; negative amounts as '-¥12.00'."""
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{from_cents(abs(cents)):,.2f}"


_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_UNITS = ("", "拾", "佰", "仟")
_CAPITAL_GROUPS = ("", "万", "亿", "万亿")


def _capital_group(value: int) -> str:
    """0 < value < 10000 in capitals, with 零 for zeros inside it (1001 -> 壹仟零壹)."""
    text = ""
    pending_zero = False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            # A zero only matters once something non-zero has been written.
            pending_zero = pending_zero or bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _CAPITAL_DIGITS[digit] + _CAPITAL_UNITS[position]
    return text


def _capital_yuan(yuan: int) -> str:
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    if len(groups) > len(_CAPITAL_GROUPS):
        raise ValueError("amount too large for capital numerals")
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        # 零 between groups when the lower group does not fill its thousands
        # (10,0500 -> 壹拾万零伍佰) or a whole group was empty (1,0000,0001).
        if text and (need_zero or group < 1000):
            text += "零"
        text += _capital_group(group) + _CAPITAL_GROUPS[index]
        need_zero = False
    return text


def capital_amount(amount: Decimal) -> str:
    """The amount in Chinese capital numerals (大写) as written on receipts.

    Follows the usual bookkeeping rules (《支付结算办法》附件): 整 after 元
    when there are no 角 or 分 (none after 角 or 分); one 零 for any run of zeros inside the
    number, also between 元 and 分 when 角 is zero; 拾 always with its digit
    (壹拾); 万 and 亿 groups.  1090.00 -> 壹仟零玖拾元整, 0.50 -> 伍角,
    1001.05 -> 壹仟零壹元零伍分, 0 -> 零元整.  Negative amounts get 负.
    """
    cents = to_cents(amount)
    sign = "负" if cents < 0 else ""
    cents = abs(cents)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = _capital_yuan(yuan) + "元" if yuan else ""
    if jiao:
        text += _CAPITAL_DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"  # 壹元零伍分: the empty 角 is spoken
    if fen:
        text += _CAPITAL_DIGITS[fen] + "分"
    elif not jiao:
        # 整 closes an amount that stops at 元, so nothing can be added after
        # it; after 角 the rules leave it out (伍角, 壹拾贰元叁角).
        text += "整"
    return sign + text
