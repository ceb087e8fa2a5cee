"""Shared test set-up: every test starts in the default language.

The message language is process state (``scheduler.i18n.set_language``, set by the CLI's
``--lang``); a test that runs a command in English in-process would otherwise leave later
tests reading English messages, and their assertions would depend on the order of the run.
"""

import pytest

from scheduler.i18n import set_language


@pytest.fixture(autouse=True)
def _swedish_by_default():
    set_language("sv")
    yield
    set_language("sv")
