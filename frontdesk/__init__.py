"""FrontDesk: reception-desk software for a physical-examination centre."""

__version__ = "0.1.0"
