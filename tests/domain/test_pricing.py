from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import Payer
from frontdesk.domain.pricing import ContractTerms, PricedItem, PricedPackage, quote
from frontdesk.errors import ValidationError

CBC = PricedItem(1, "血常规", D("25.00"))
LFT = PricedItem(2, "肝功能", D("60.00"))
ECG = PricedItem(3, "心电图", D("30.00"))
THY_US = PricedItem(10, "甲状腺彩超", D("100.00"))
C13 = PricedItem(11, "碳13呼气试验", D("150.00"))
PACKAGE = PricedPackage(100, "基础套餐", D("98.00"), (CBC, LFT, ECG))


def test_package_alone_costs_its_package_price():
    q = quote(PACKAGE)
    assert q.total == D("98.00") and q.guest_total == D("98.00") and q.org_total == 0
    assert [(line.item_id, line.payer) for line in q.lines] == [(None, Payer.GUEST)]


def test_removed_item_lowers_the_package_by_its_price():
    q = quote(PACKAGE, removed_item_ids=[ECG.item_id])
    assert q.total == D("68.00")
    assert q.lines[-1].amount == D("-30.00") and q.lines[-1].removed


def test_removals_never_take_the_package_below_zero():
    q = quote(PACKAGE, removed_item_ids=[LFT.item_id, ECG.item_id, CBC.item_id])
    assert q.total == D("0.00")
    assert [line.amount for line in q.lines] == [D("98.00"), D("-60.00"), D("-30.00"), D("-8.00")]


def test_add_ons_are_charged_at_list_price_to_the_guest():
    q = quote(PACKAGE, addons=[THY_US, C13])
    assert q.total == D("348.00") and q.guest_total == D("348.00")
    assert [(line.item_id, line.is_addon, line.payer) for line in q.lines] == [
        (None, False, Payer.GUEST), (THY_US.item_id, True, Payer.GUEST), (C13.item_id, True, Payer.GUEST)]


def test_organisation_pays_the_package_guest_pays_add_ons():
    q = quote(PACKAGE, addons=[THY_US], terms=ContractTerms(org_pays_package=True))
    assert q.org_total == D("98.00") and q.guest_total == D("100.00") and q.total == D("198.00")


def test_allowance_covers_add_ons_in_order_and_splits_the_one_that_crosses_it():
    q = quote(PACKAGE, addons=[THY_US, C13], terms=ContractTerms(True, D("180.00")))
    assert q.org_total == D("278.00") and q.guest_total == D("70.00")
    c13 = q.lines_for(C13.item_id)
    assert {(line.payer, line.amount) for line in c13} == {(Payer.ORGANISATION, D("80.00")), (Payer.GUEST, D("70.00"))}


def test_allowance_larger_than_add_ons_leaves_nothing_for_the_guest():
    q = quote(PACKAGE, addons=[THY_US], terms=ContractTerms(False, D("500.00")))
    assert q.guest_total == D("98.00") and q.org_total == D("100.00")


def test_removing_an_item_not_in_the_package_is_refused():
    with pytest.raises(ValidationError) as err:
        quote(PACKAGE, removed_item_ids=[C13.item_id])
    assert err.value.field == "removed_items"


def test_adding_an_item_already_in_the_package_is_refused():
    with pytest.raises(ValidationError, match="已包含"):
        quote(PACKAGE, addons=[CBC])


def test_adding_back_a_removed_package_item_is_an_add_on():
    q = quote(PACKAGE, removed_item_ids=[CBC.item_id], addons=[CBC])
    assert q.total == D("98.00")


def test_items_without_a_package():
    q = quote(None, addons=[CBC, ECG])
    assert q.total == D("55.00") and len(q.lines) == 2


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_prices = st.decimals(min_value=0, max_value=5000, places=2)


@settings(max_examples=200, deadline=None)
@given(package_price=_prices, item_prices=st.lists(_prices, min_size=1, max_size=6), removed=st.data(),
       addon_prices=st.lists(_prices, max_size=4), allowance=_prices, org_pays=st.booleans())
def test_quote_totals_add_up_and_are_never_negative(package_price, item_prices, removed, addon_prices, allowance,
                                                    org_pays):
    items = tuple(PricedItem(i, f"项目{i}", p) for i, p in enumerate(item_prices))
    package = PricedPackage(1, "套餐", package_price, items)
    cut = removed.draw(st.lists(st.sampled_from([i.item_id for i in items]), unique=True))
    addons = [PricedItem(100 + i, f"加项{i}", p) for i, p in enumerate(addon_prices)]
    q = quote(package, removed_item_ids=cut, addons=addons, terms=ContractTerms(org_pays, allowance))
    assert q.total == q.guest_total + q.org_total == sum(line.amount for line in q.lines)
    assert q.guest_total >= 0 and q.org_total >= 0
    assert sum(line.amount for line in q.lines if line.is_addon and line.payer is Payer.ORGANISATION) <= allowance
    assert q.total == max(package_price - sum(i.price for i in items if i.item_id in cut), 0) + sum(addon_prices)
