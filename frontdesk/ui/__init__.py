"""PySide6 widgets: the only package with widgets."""
