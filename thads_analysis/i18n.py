"""The language of messages: English message ids in the code, Vietnamese from a gettext catalogue.

Messages are written ``_("... {name} ...").format(name=...)`` (named fields, so that a
translation may reorder them) and extracted with Babel (``make messages``) into
``locale/vi/LC_MESSAGES/thads.po``, compiled in memory on first use. The library speaks
Vietnamese, as the reports do; the command line chooses with ``--lang``, ``THADS_LANG`` or the
locale variables (``cli.main``).
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
CATALOGUE = Path(__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "thads.po"
_current = [DEFAULT]  # the process's language (set_language)
_thread = threading.local()  # a thread's own, inside ``using``: other threads keep theirs


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the message ids themselves)."""
    if lang == "en":
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(CATALOGUE, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they fall back to English
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message with a count, in the current language."""
    return _translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; ``_`` translates it where it is shown."""
    return message


def language() -> str:
    """The language of this thread's messages now."""
    return getattr(_thread, "lang", None) or _current[0]


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _current[0] = lang


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages in ``lang`` inside the block in every thread that has not chosen its own (a command
    line run and its worker threads); the earlier language after it."""
    before = _current[0]
    set_language(lang)
    try:
        yield
    finally:
        _current[0] = before


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Messages in ``lang`` inside the block, in this thread only; the earlier language after it."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    before = getattr(_thread, "lang", None)
    _thread.lang = lang
    try:
        yield
    finally:
        _thread.lang = before


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language asked for by ``THADS_LANG``, else by the first locale variable set
    (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``) when it names English or Vietnamese;
    Vietnamese otherwise (``C``, ``POSIX``, another language or none)."""
    for name in ("THADS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            first = value.split(":")[0].split("_")[0].split(".")[0].lower()
            return first if first in LANGUAGES else DEFAULT
    return DEFAULT


def day(value) -> str:
    """A date as the current language writes it: 30/06/2017 in Vietnamese, 2017-06-30 in English."""
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    return value.isoformat() if language() == "en" else value.strftime("%d/%m/%Y")


def number(value: int) -> str:
    """A count as the current language writes it: 18.576 in Vietnamese, 18576 in English."""
    if language() == "en":
        return str(value)
    from .numbers import format_int

    return format_int(value)


# argparse's own messages (usage, errors), translated through the same catalogue (cli patches
# argparse's ``_`` and ``ngettext``; Python 3.11's wording).
ARGPARSE_MESSAGES = [
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"), N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"), N_("expected one argument"), N_("expected at most one argument"),
    N_("expected at least one argument"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"), N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
]
