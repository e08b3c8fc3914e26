"""Every key value this process has held, so that log and error text can be scrubbed.

Its own module, free of the network stack, so the log can start before anything else loads.
"""

from __future__ import annotations

_SECRETS: set[str] = set()


def remember_secret(value: str) -> None:
    _SECRETS.add(value)


def known_secrets() -> frozenset[str]:
    return frozenset(_SECRETS)
