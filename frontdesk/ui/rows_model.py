"""A read-only table of text rows for QTableView: big lists without one widget item per cell.

Filling a QTableWidget makes several calls per cell; thousands of rows (a 5,000-line roster) make the
UI thread slow, and with PySide6 6.12 on Python 3.11 every call of a C++ method without a result loses a
reference to ``None`` (the interpreter aborts once they run out).  Here the view asks for what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor


class RowsModel(QAbstractTableModel):
    """Rows of strings under translated headers; optional background colour and tooltip per cell."""

    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple[str, ...]] = []
        self.keys: list[object] = []
        self.background: Callable[[int, int], str | None] | None = None
        self.tooltip_columns: set[int] = set()
        self._brushes: dict[str, QBrush] = {}

    def set_rows(self, rows: Sequence[Sequence[str]], keys: Sequence[object] | None = None) -> None:
        self.beginResetModel()
        self.rows = [tuple(r) for r in rows]
        self.keys = list(keys) if keys is not None else [None] * len(self.rows)
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self.rows[row][column]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[row][column]
        if role == Qt.ItemDataRole.ToolTipRole and column in self.tooltip_columns:
            return self.rows[row][column] or None
        if role == Qt.ItemDataRole.BackgroundRole and self.background is not None:
            colour = self.background(row, column)
            if colour:
                if colour not in self._brushes:
                    self._brushes[colour] = QBrush(QColor(colour))
                return self._brushes[colour]
        if role == Qt.ItemDataRole.UserRole:
            return self.keys[row]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None
