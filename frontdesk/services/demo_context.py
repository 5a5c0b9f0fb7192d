"""What every part of the demo day works with, and the list of later stages.

``frontdesk demo`` builds its days through the desk's own services (see
``frontdesk.services.demo``).  The core builds the check-in part of each day;
every later capability (close-out and deferrals, reports and hand-out,
bookings and rosters, end of day) adds its own part in a module of its own,
``frontdesk/services/demo_<name>.py``, registered here.

The contract for a stage
------------------------

- A stage is a function ``stage(ctx: DemoContext) -> None``.  It is called
  once for every demo day, oldest first, right after the core has built that
  day's check-ins (so the records of a day are made in the order a real desk
  would make them, and receipt numbers and audit times only go forward).
  ``ctx.day`` is the day being built; ``ctx.is_today`` says whether it is
  today (a morning in progress: stop at ``ctx.now_limit``, do not finish what
  a desk would only finish in the afternoon); past days are finished days
  (every container received and sent to the lab, belongings back; the
  visits themselves stay checked in for the close-out stage, and about one
  booking in nine never arrived: a no-show to mark).
- It makes its records only through services, as a desk user would:
  ``ctx.desk`` (reception, 李前台, desk 前台1), ``ctx.desk2`` (reception at
  前台2), ``ctx.supervisor`` (王主管) for what needs a supervisor.  It sets
  the time the services record with ``ctx.at(hh, mm)`` (a context manager
  pinning ``frontdesk.clock`` to that local time of ``ctx.day``) or
  ``ctx.tick(minutes)`` inside it.  Never write past times into rows by hand.
- Randomness comes only from ``ctx.rng`` (seeded), so a seed gives the same
  demo every time; iterate over ids in a stable order (sorted).
- It finds the day's work in ``ctx.visits`` (``DemoVisit`` records of every
  visit the demo checked in, with the day, guest, desk state) and
  ``ctx.guests``; it may add to ``ctx.notes`` one short line for the summary
  the command prints.
- It must be fast: the default demo builds in well under a minute on SQLite,
  with ``ctx.scale`` (1.0 by default, small in tests) to size its work.

Registering a stage: in your module

    from frontdesk.services.demo_context import DemoContext, register_stage

    @register_stage(order=20, name="close-out")
    def closeout_day(ctx: DemoContext) -> None:
        ...

and add the module's name to ``STAGE_MODULES`` below (one line).  Orders in
use: 10 bookings and rosters (issue 10), 20 close-out, deferrals and
belongings (issue 9), 30 reports received and handed out (issue 9), 90 end of
day (issue 11: it closes the day, so it runs last).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk import clock, config
from frontdesk.services.session import Session

Stage = Callable[["DemoContext"], None]

#: The modules whose stages the demo runs (each registers its stage when imported).
STAGE_MODULES: list[str] = [
    "frontdesk.services.demo_rosters",
    "frontdesk.services.demo_bookings",
    "frontdesk.services.demo_preparation",
    "frontdesk.services.demo_closeout",
    "frontdesk.services.demo_reports",
    "frontdesk.services.demo_eod",
]


@dataclass(frozen=True)
class RegisteredStage:
    order: int
    name: str
    run: Stage


_STAGES: list[RegisteredStage] = []


def register_stage(order: int, name: str = "") -> Callable[[Stage], Stage]:
    """Decorator: run ``fn(ctx)`` for every demo day, in ``order`` among the stages."""

    def decorate(fn: Stage) -> Stage:
        label = name or fn.__name__
        if not any(s.run is fn for s in _STAGES):
            _STAGES.append(RegisteredStage(order, label, fn))
        return fn

    return decorate


def stages() -> list[RegisteredStage]:
    """The registered stages in their order (importing ``STAGE_MODULES`` first)."""
    for module in STAGE_MODULES:
        importlib.import_module(module)
    return sorted(_STAGES, key=lambda s: (s.order, s.name))


@dataclass
class DemoGuest:
    guest_id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number: str
    phone: str
    organisation_id: int | None = None


@dataclass
class DemoVisit:
    """A visit the demo checked in, and how far the core took it that day."""

    visit_id: int
    visit_no: str
    guest_id: int
    day: dt.date
    desk: str
    # "done" (all containers in, belongings back), "midway" (some containers
    # handed in), "arrived" (just checked in): the core's state of the visit.
    progress: str
    group: bool = False
    belonging_ids: list[int] = field(default_factory=list)


@dataclass
class DemoContext:
    today: dt.date
    days: list[dt.date]              # every demo day, oldest first; the last one is today
    rng: random.Random
    desk: Session
    desk2: Session
    supervisor: Session
    admin: Session
    output_dir: Path                 # where labels and other demo print-outs are written
    scale: float = 1.0
    day: dt.date | None = None       # the day being built
    guests: list[DemoGuest] = field(default_factory=list)
    visits: list[DemoVisit] = field(default_factory=list)
    organisation_ids: dict[str, int] = field(default_factory=dict)   # name -> id
    contract_ids: dict[str, int] = field(default_factory=dict)       # organisation name -> contract id
    notes: list[str] = field(default_factory=list)
    # Today is a morning in progress: nothing happens after this local time.
    now_limit: dt.time = dt.time(10, 30)

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    @property
    def label_output(self) -> config.LabelPrinterSettings:
        """The label printer of the demo desks: PNG files in ``output_dir/labels``."""
        return config.LabelPrinterSettings(output="png", path=str(self.output_dir / "labels"))

    def visits_on(self, day: dt.date) -> list[DemoVisit]:
        return [v for v in self.visits if v.day == day]

    def guest(self, guest_id: int) -> DemoGuest:
        for g in self.guests:
            if g.guest_id == guest_id:
                return g
        raise KeyError(guest_id)

    def moment(self, hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
        """``hour:minute`` local time on ``day`` (default the day being built), aware."""
        day = day or self.day or self.today
        return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()

    @contextmanager
    def at(self, hour: int, minute: int = 0, day: dt.date | None = None) -> Iterator[None]:
        """Run the block with the services' clock at ``hour:minute`` local time of the day being built."""
        with clock.pinned(self.moment(hour, minute, day)):
            yield

    def tick(self, minutes: float = 1) -> dt.datetime:
        """Move the pinned clock on (inside ``at``): the next thing happens a little later."""
        return clock.advance(dt.timedelta(minutes=minutes))

    def count(self, n: int, minimum: int = 1) -> int:
        """``n`` scaled by ``scale``, at least ``minimum``: how much a stage does."""
        return max(minimum, round(n * self.scale))
