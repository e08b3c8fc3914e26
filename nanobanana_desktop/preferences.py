"""Settings kept in the profile's ``settings.ini``: most take effect when the app starts,
those in ``LIVE_KEYS`` at once.

The Settings dialog writes them through QSettings; the session reads them here, without
Qt, because the command line opens the same profile and must not load Qt. Both sides use
the keys below and :meth:`Preferences.from_values`, so they agree on what a value means.
The API key is never among them: that lives in the keyring.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .api.endpoint import normalize_base_url
from .api.errors import NanoBananaError
from .api.validation import check_callback_url

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.ini"

BASE_URL = "connection/base_url"
LIBRARY = "library/folder"
POLL_FAST = "tracking/fast_seconds"
POLL_SLOW = "tracking/slow_seconds"
WEBHOOK_URL = "webhooks/public_url"
WEBHOOK_PORT = "webhooks/local_port"
LANGUAGE = "interface/language"
NOTIFICATIONS = "interface/notifications"
KEYS = (
    BASE_URL,
    LIBRARY,
    POLL_FAST,
    POLL_SLOW,
    WEBHOOK_URL,
    WEBHOOK_PORT,
    LANGUAGE,
    NOTIFICATIONS,
)
# Read each time they are needed, so a change applies without a restart.
LIVE_KEYS = (NOTIFICATIONS,)

LANGUAGES = {"en": "English", "nl": "Nederlands"}
# Faster than once a second only adds load; slower than ten minutes looks like a hang.
FAST_RANGE = (1.0, 60.0)
SLOW_RANGE = (2.0, 600.0)
PORT_RANGE = (1, 65535)


@dataclass(frozen=True)
class Preferences:
    """What the profile holds; None where it holds nothing usable (the default applies)."""

    base_url: str | None = None
    library: str | None = None
    poll_fast: float | None = None
    poll_slow: float | None = None
    webhook_url: str | None = None
    webhook_port: int | None = None
    language: str | None = None
    notifications: bool | None = None  # None: on, the default

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Preferences:
        """Parsed and checked. An unusable value is left out and logged, not raised: a
        hand-edited file must not keep the app from starting."""

        def text(key: str) -> str | None:
            value = values.get(key, "").strip()
            return value or None

        base_url = text(BASE_URL)
        if base_url is not None:
            try:
                base_url = normalize_base_url(base_url)
            except NanoBananaError as exc:
                log.warning("stored API address ignored: %s", exc)
                base_url = None
        webhook_url = text(WEBHOOK_URL)
        if webhook_url is not None:
            try:
                check_callback_url(webhook_url)
            except NanoBananaError as exc:
                log.warning("stored webhook address ignored: %s", exc)
                webhook_url = None
        fast = _number(text(POLL_FAST), FAST_RANGE, POLL_FAST)
        slow = _number(text(POLL_SLOW), SLOW_RANGE, POLL_SLOW)
        if fast is not None and slow is not None and slow < fast:
            slow = fast
        port = _number(text(WEBHOOK_PORT), PORT_RANGE, WEBHOOK_PORT)
        language = text(LANGUAGE)
        if language is not None and language not in LANGUAGES:
            log.warning("stored language %r ignored", language)
            language = None
        notifications = parse_flag(text(NOTIFICATIONS))
        if text(NOTIFICATIONS) is not None and notifications is None:
            log.warning("stored %s=%r ignored", NOTIFICATIONS, text(NOTIFICATIONS))
        return cls(
            base_url=base_url,
            library=text(LIBRARY),
            poll_fast=fast,
            poll_slow=slow,
            webhook_url=webhook_url,
            webhook_port=None if port is None else int(port),
            language=language,
            notifications=notifications,
        )


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def parse_flag(value: object) -> bool | None:
    """A stored on/off value as QSettings or a hand edit writes it; None if it is neither."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str | int):
        return None
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def flag_text(value: bool) -> str:
    """How an on/off setting is written: what QSettings itself writes for a bool."""
    return "true" if value else "false"


def _number(value: str | None, bounds: tuple[float, float], key: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not bounds[0] <= number <= bounds[1]:  # NaN fails this too
        log.warning("stored %s=%r ignored: not within %s to %s", key, value, *bounds)
        return None
    return number


def read_preferences(profile: Path) -> Preferences:
    """The profile's stored settings; blocking (a small file), so call it off the UI thread."""
    path = profile / SETTINGS_FILE
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:
        log.warning("settings not read from %s: %s", path, exc)
        return Preferences()
    return Preferences.from_values(parse_qsettings_ini(text))


def parse_qsettings_ini(text: str) -> dict[str, str]:
    """The plain string values of an INI file as QSettings writes it, by "group/key".

    configparser would misread it: QSettings quotes values holding ``,`` ``;`` or ``=``,
    escapes backslashes and control characters C-style, doubles a leading ``@``, and
    writes lists as comma-separated values. Lists and Qt's ``@Type(...)`` values are left
    out; none of the keys read here is ever one.
    """
    values: dict[str, str] = {}
    group = ""
    # Only ASCII line breaks and blanks: QSettings writes U+0085, U+2028 and NBSP as they
    # are, and str.splitlines() and str.strip() would take them for separators.
    for raw_line in text.split("\n"):
        line = raw_line.strip(_BLANKS)
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip(_BLANKS)
            group = "" if name == "General" else name.replace("%General", "General")
            continue
        key, sep, raw_value = line.partition("=")
        if not sep:
            continue
        value = _unescape(raw_value)
        if value is None:
            continue
        key = key.strip(_BLANKS)
        values[f"{group}/{key}" if group else key] = value
    return values


_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "?": "?",
    "'": "'",
    "\\": "\\",
}
_BLANKS = " \t\r\f\v"
_HEX = "0123456789abcdefABCDEF"
_OCT = "01234567"


def _unescape(raw: str) -> str | None:
    """One value, as QSettings' own reader (iniUnescapedStringList) reads it; None for a
    list or a special ``@`` value."""
    out: list[str] = []
    quoted = in_quotes = False
    keep = 0  # trailing blanks are trimmed back to here, never ones written as escapes
    i, size = 0, len(raw)
    while i < size and raw[i] in " \t":
        i += 1
    while i < size:
        ch = raw[i]
        if ch == "\\":
            i += 1
            if i >= size:
                break
            code = raw[i]
            i += 1
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
            elif code == "x" or code in _OCT:
                digits, base = (_HEX, 16) if code == "x" else (_OCT, 8)
                start = i if code == "x" else i - 1
                end = start
                while end < size and raw[end] in digits:
                    end += 1
                if end > start:
                    out.append(chr(int(raw[start:end], base) & 0xFFFF))
                i = end
            # any other escaped character is dropped, as Qt drops it
            keep = len(out)
        elif ch == '"':
            quoted, in_quotes = True, not in_quotes
            i += 1
            if not in_quotes:
                while i < size and raw[i] in " \t":
                    i += 1
        elif ch == "," and not in_quotes:
            return None  # a list
        else:
            out.append(ch)
            i += 1
    value = "".join(out)
    if not quoted:
        value = value[:keep] + value[keep:].rstrip(" \t")
    if value.startswith("@@"):
        return value[1:]
    if value.startswith("@String(") and value.endswith(")"):  # how Qt writes a NUL
        return value[len("@String(") : -1]
    if value.startswith("@"):
        return None
    return value
