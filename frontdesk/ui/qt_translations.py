"""Qt's own texts in the desk's language.

Our strings are ``tr()`` pairs; Qt's own (the standard buttons of message
boxes and button boxes, the file dialog, the calendar popup's month and day
names, context menus) come from Qt's translation files shipped with PySide6
and from the default ``QLocale``.  Chinese loads ``qtbase_zh_CN``; English
loads none, so Qt's English source texts show.  The file dialogs the app opens
are Qt's own (not the system's), so they follow this too.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

#: Qt's catalogue for each UI language; English is Qt's source language.
QT_CATALOGUES = {"zh": "qtbase_zh_CN", "en": None}
LOCALES = {"zh": (QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China),
           "en": (QLocale.Language.English, QLocale.Script.LatinScript, QLocale.Country.UnitedStates)}

_installed: dict[str, object] = {"language": None, "translator": None}


def install_qt_translations(app: QCoreApplication, language: str) -> bool:
    """Make Qt's own widgets speak ``language`` ("zh" or "en"); returns whether Qt's catalogue
    for it was loaded (always False for English, which needs none).

    Call it before widgets are built: widgets made earlier keep the texts and locale they got.
    Calling it again with another language swaps the catalogue (tests, a language change).
    """
    QLocale.setDefault(QLocale(*LOCALES.get(language, LOCALES["zh"])))
    if _installed["language"] == language and _installed["translator"] is not None:
        return True
    old = _installed["translator"]
    if old is not None:
        app.removeTranslator(old)
        _installed["translator"] = None
    _installed["language"] = language
    catalogue = QT_CATALOGUES.get(language)
    if catalogue is None:
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # Load by file name: a locale-based lookup tries zh_Hans, which Qt's files are not named after.
    if not translator.load(catalogue, folder):
        log.warning("Qt's translations %s not found in %s", catalogue, folder)
        return False
    app.installTranslator(translator)
    _installed["translator"] = translator
    return True
