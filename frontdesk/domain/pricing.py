"""What a visit costs and who pays which part (plain rules, no storage).

Rules:

- A package is charged at its package price, not the sum of its items.
- Removing a package item (减项) lowers the package price by that item's list
  price; the package never goes below zero (removing most of a cheap
  package's items makes it free, not a credit).
- Add-ons (增项) are charged at their list price.
- Contract guests: the organisation pays the package when the contract says
  so (``org_pays_package``); it pays add-ons up to ``addon_allowance``, taken
  in the order the add-ons were chosen; an add-on that crosses the allowance
  is split into an organisation line and a guest line.  Without a contract
  the guest pays everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from frontdesk.domain.enums import Payer
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricedItem:
    item_id: int
    name: str
    price: Decimal


@dataclass(frozen=True)
class PricedPackage:
    package_id: int
    name: str
    price: Decimal
    items: tuple[PricedItem, ...]


@dataclass(frozen=True)
class ContractTerms:
    org_pays_package: bool
    addon_allowance: Decimal = ZERO


@dataclass(frozen=True)
class QuoteLine:
    item_id: int | None  # None for the package line
    description: str
    amount: Decimal  # negative for a removed package item
    payer: Payer
    is_addon: bool = False
    removed: bool = False  # the line takes a removed package item off the package price


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    guest_total: Decimal
    org_total: Decimal
    total: Decimal

    def lines_for(self, item_id: int) -> list[QuoteLine]:
        return [line for line in self.lines if line.item_id == item_id and not line.removed]


def quote(package: PricedPackage | None, *, removed_item_ids: Sequence[int] = (),
          addons: Sequence[PricedItem] = (), terms: ContractTerms | None = None) -> Quote:
    """Price a visit; raises ``ValidationError`` for an impossible selection."""
    lines: list[QuoteLine] = []
    removed = list(dict.fromkeys(removed_item_ids))
    if removed and package is None:
        raise ValidationError(tr("未选择套餐，无法减项", "No package is chosen, so no item can be removed"),
                              field="removed_items")
    if package is not None:
        in_package = {item.item_id: item for item in package.items}
        for item_id in removed:
            if item_id not in in_package:
                raise ValidationError(tr("减去的项目不在套餐中", "A removed item is not part of the package"),
                                      field="removed_items")
        package_payer = Payer.ORGANISATION if terms is not None and terms.org_pays_package else Payer.GUEST
        lines.append(QuoteLine(None, package.name, package.price, package_payer))
        left = package.price
        for item_id in removed:
            item = in_package[item_id]
            cut = min(item.price, left)
            left -= cut
            lines.append(QuoteLine(item_id, tr("减项：{name}", "Removed: {name}", name=item.name), -cut,
                                   package_payer, removed=True))
        kept = set(in_package) - set(removed)
    else:
        kept = set()
    seen: set[int] = set()
    allowance = terms.addon_allowance if terms is not None else ZERO
    for item in addons:
        if item.item_id in kept:
            raise ValidationError(tr("“{name}”已包含在套餐中", "“{name}” is already in the package", name=item.name),
                                  field="added_items")
        if item.item_id in seen:
            raise ValidationError(tr("“{name}”重复添加", "“{name}” is added twice", name=item.name),
                                  field="added_items")
        seen.add(item.item_id)
        org_part = min(item.price, allowance)
        allowance -= org_part
        if org_part:
            lines.append(QuoteLine(item.item_id, item.name, org_part, Payer.ORGANISATION, is_addon=True))
        if item.price - org_part or not org_part:
            lines.append(QuoteLine(item.item_id, item.name, item.price - org_part, Payer.GUEST, is_addon=True))
    guest_total = sum((line.amount for line in lines if line.payer is Payer.GUEST), ZERO)
    org_total = sum((line.amount for line in lines if line.payer is Payer.ORGANISATION), ZERO)
    return Quote(tuple(lines), guest_total, org_total, guest_total + org_total)
