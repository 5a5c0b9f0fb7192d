import pytest

from frontdesk import i18n


@pytest.fixture(autouse=True)
def chinese_ui():
    """Messages are asserted in Chinese; restore whatever language was set."""
    before = i18n.language()
    i18n.set_language("zh")
    yield
    i18n.set_language(before)
