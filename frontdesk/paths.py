"""Where things live: bundled resources, migrations and the user's data folder."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _package_dir(package: str, checkout_dir: str) -> Path:
    # Installed (wheel or editable): the folder ships as a sub-package.
    # Plain source checkout on sys.path: fall back to the top-level folder.
    try:
        path = Path(str(resources.files(package)))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return _SOURCE_ROOT / checkout_dir


def resources_dir() -> Path:
    return _package_dir("frontdesk.resources", "resources")


def migrations_dir() -> Path:
    return _package_dir("frontdesk.db", "db") / "migrations"


def font_path() -> Path:
    """The bundled CJK TrueType font used by the UI, labels, receipts and PDFs."""
    return resources_dir() / "fonts" / "DroidSansFallbackFull.ttf"


def data_dir() -> Path:
    """The per-user data folder (database, settings, logs, backups)."""
    override = os.environ.get("FRONTDESK_HOME")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "FrontDesk"
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = Path(xdg) / "frontdesk"
    base.mkdir(parents=True, exist_ok=True)
    return base


def default_sqlite_path() -> Path:
    return data_dir() / "frontdesk.sqlite3"


def log_path() -> Path:
    (data_dir() / "logs").mkdir(exist_ok=True)
    return data_dir() / "logs" / "frontdesk.log"
