"""The exam catalogue: stations, tube types, items and packages.

The seed lives as data in ``db/seed/catalogue.json``; loading it is an upsert
by code, so running it again updates names and prices without duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from frontdesk import paths
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m


def seed_file() -> Path:
    return paths.migrations_dir().parent / "seed" / "catalogue.json"


@dataclass(frozen=True)
class SeedCounts:
    stations: int
    tube_types: int
    items: int
    packages: int


def load_seed_catalogue(session: Session, path: Path | None = None) -> SeedCounts:
    """Create or update the catalogue from the seed file, in one transaction."""
    data = json.loads((path or seed_file()).read_text(encoding="utf-8"))
    with db.transaction():
        stations = {s["code"]: _upsert(m.Station, s) for s in data["stations"]}
        tubes = {t["code"]: _upsert(m.TubeType, t) for t in data["tube_types"]}
        items = {}
        for raw in data["items"]:
            values = dict(raw, station=stations[raw["station"]], price=Decimal(raw["price"]),
                          tube_type=tubes[raw["tube_type"]] if raw["tube_type"] else None)
            items[raw["code"]] = _upsert(m.ExamItem, values)
        for raw in data["packages"]:
            values = {k: v for k, v in raw.items() if k != "items"}
            package = _upsert(m.Package, dict(values, price=Decimal(raw["price"])))
            wanted = {items[code].id for code in raw["items"]}
            have = {pi.item_id for pi in m.PackageItem.select().where(m.PackageItem.package == package)}
            m.PackageItem.delete().where((m.PackageItem.package == package)
                                         & m.PackageItem.item.in_(list(have - wanted) or [0])).execute()
            for item_id in sorted(wanted - have):
                m.PackageItem.create(package=package, item=item_id)
        counts = SeedCounts(len(stations), len(tubes), len(items), len(data["packages"]))
        audit.record(session, "catalogue.seed", "catalogue", "", **counts.__dict__)
    return counts


def _upsert(model, values: dict):
    row = model.get_or_none(model.code == values["code"])
    if row is None:
        return model.create(**values)
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    return row


def active_packages() -> list[m.Package]:
    return list(m.Package.select().where(m.Package.active == True).order_by(m.Package.price))  # noqa: E712


def active_items() -> list[m.ExamItem]:
    return list(m.ExamItem.select(m.ExamItem, m.Station).join(m.Station).where(m.ExamItem.active == True)  # noqa: E712
                .order_by(m.Station.route_order, m.ExamItem.code))


def package_items(package_id: int) -> list[m.ExamItem]:
    return list(m.ExamItem.select(m.ExamItem, m.Station).join(m.Station).switch(m.ExamItem)
                .join(m.PackageItem, on=(m.PackageItem.item == m.ExamItem.id))
                .where(m.PackageItem.package == package_id).order_by(m.Station.route_order, m.ExamItem.code))
