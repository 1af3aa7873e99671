"""Which addresses a source may have (``url``, ``read_at``).

An address is an ``http`` or ``https`` URL with a host, holding no whitespace, no brace and
no control character (C0, DEL, C1, or an invisible format or bidi control). Such an
address is a link in a terminal and in Markdown, and a BibTeX, RIS or CSL-JSON field
holds it exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WEB_ADDRESS = re.compile(r"https?://[^/?#@:]", re.IGNORECASE)
"""The scheme and a host (after any ``user@``): ``https://example.org``."""

_SUSPECT = re.compile(r"[^\x21-\x7a\x7c\x7e]")
"""Anything but printable ASCII other than braces: refused unless a visible letter (an IRI's ``例子``)."""

_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
"""Controls, format and bidi controls, lone surrogates, spaces and separators."""


def address_problem(address: str) -> str | None:
    """What is wrong with ``address`` as a source's address, or None when nothing is."""
    for suspect in _SUSPECT.finditer(address):
        import unicodedata  # only for an address that holds more than printable ASCII

        char = suspect.group()
        if char.isascii() or unicodedata.category(char) in _INVISIBLE:
            shown = repr(char) if char in "{}" else f"U+{ord(char):04X}"
            where = suspect.start() + 1
            return f"an address must not hold whitespace, braces or control characters: {shown} at character {where}"
    if not _WEB_ADDRESS.match(_without_user(address)):
        return "an address must be an http or https URL with a host, such as https://example.org/page"
    return None


def _without_user(address: str) -> str:
    """``https://host/...`` for ``https://user@host/...``: the host is what must be there."""
    scheme, sep, rest = address.partition("://")
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    return scheme + sep + rest[:authority_end].rpartition("@")[2] + rest[authority_end:]


def check_addresses(problem: Callable[[str, str], None], place: str, **addresses: str | None) -> None:
    """Report, through ``problem(place, message)``, each address given by key (``url=...``) that is wrong."""
    for key, address in addresses.items():
        message = None if address is None else address_problem(address)
        if message is not None:
            problem(f"{place}.{key}" if place else key, message)
