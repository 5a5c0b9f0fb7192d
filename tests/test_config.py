"""Workstation settings: per-document printers and paper survive a restart, old files still load."""

import json

import pytest

from frontdesk import config


def test_each_documents_printer_and_paper_round_trip():
    settings = config.WorkstationSettings()
    settings.documents["receipt"] = config.DocumentPrinterSettings("TM-T88", "roll80")
    settings.documents["guide"] = config.DocumentPrinterSettings("HP LaserJet", "a4")
    settings.documents["list"] = config.DocumentPrinterSettings("Lab", "a4")
    config.save(settings)
    loaded = config.load()
    assert loaded.documents == settings.documents
    assert (loaded.receipt_printer, loaded.receipt_format) == ("TM-T88", "roll80")
    assert loaded.document("guide").printer_name == "HP LaserJet"


def test_defaults_are_a5_receipts_and_a4_guide_sheets_and_lists():
    settings = config.load()
    assert {kind: d.paper for kind, d in settings.documents.items()} == {"receipt": "a5", "guide": "a4", "list": "a4"}


def test_a_paper_a_document_cannot_use_is_not_loaded():
    config.settings_file().write_text(json.dumps({"documents": {"guide": {"printer_name": "X", "paper": "roll80"}}}))
    loaded = config.load()
    assert loaded.document("guide").paper == "a4" and loaded.document("guide").printer_name == "X"


@pytest.mark.parametrize("paper, guide_printer", [("a5", "HP"), ("roll80", "")])
def test_older_settings_keep_their_receipt_printer(paper, guide_printer):
    """Before each document had its own printer, guide sheets went to the receipt printer (unless a roll)."""
    config.settings_file().write_text(json.dumps({"receipt_printer": "HP", "receipt_format": paper,
                                                  "desk_name": "前台3"}))
    loaded = config.load()
    assert loaded.desk_name == "前台3" and (loaded.receipt_printer, loaded.receipt_format) == ("HP", paper)
    assert loaded.document("guide").printer_name == guide_printer
    assert loaded.document("list").printer_name == guide_printer


def test_a4_document_on_the_receipt_roll_printer_is_a_problem():
    settings = config.WorkstationSettings()
    settings.documents["receipt"] = config.DocumentPrinterSettings("TM-T88", "roll80")
    settings.documents["guide"] = config.DocumentPrinterSettings("TM-T88", "a4")
    assert settings.roll_width_mm("TM-T88") == 80
    assert "TM-T88" in settings.paper_problem("guide")
    assert settings.paper_problem("receipt") is None and settings.paper_problem("list") is None
    settings.documents["receipt"].paper = "a5"  # the same printer with sheets is fine
    assert settings.paper_problem("guide") is None


def test_the_default_printer_counts_as_one_printer():
    settings = config.WorkstationSettings()
    settings.receipt_format = "roll80"  # the default printer holds the roll: A4 must not go there too
    assert settings.paper_problem("guide") and settings.paper_problem("list")
