"""Hypothesis: any text in any field of a source (control characters, braces, backslashes, line
breaks, TeX, Markdown and HTML) cites in every style, and every style reads back, by the parser its
users have, to the same fields: what :func:`field_text` and :func:`address_text` make of them.

The text and Markdown styles hold no raw control character, and Markdown no live HTML and no link
but to an http(s) address.
"""

from __future__ import annotations

import datetime
import os
import unicodedata
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.citations import bibtex_entries, csl_items, live_html, markdown_html, rendered_text, ris_records

from hohhot_cli.model.facts import Source, SourceKind
from hohhot_cli.output.cite import (
    CitationStyle,
    address_text,
    bibtex_key,
    cite,
    copy_note,
    field_text,
    readable,
    title_language,
    undated_note,
)

# HOHHOT_PROPERTY_EXAMPLES=1000 for a longer search outside CI.
EXAMPLES = int(os.environ.get("HOHHOT_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(deadline=None, max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])

# fmt: off
_SPECIAL = (
    "{", "}", "\\", "\\{", "\\}", "\n", "\r\n", "\r", "\t", "\x00", "\x1b", "\x1b]8;;https://x.example\x07",
    "\x1b[2J", "\x9b", "\x85", "\u2028", "\u202e", "\u2066", "\u200b", "\u200f", "\U000e0020", "\xa0", "\u3000",
    " ", "  ", "<b>", "</b>", "<script>", "&amp;", "&#60;", "&", "[a](javascript:alert(1))", "<javascript:x>",
    "![i](x)", "*", "_", "`", "~", "^", "$", "#", "%", "@", "|", "--", "---", "''", "``", ",,", "<<", ">>", "?`",
    "!`", " and ", "and", ",", ";", '"', "'", "呼和浩特", "乳都", "ホ", "한", "é", "\u0301", "𝔘",
)
# fmt: on
_FRAGMENTS = st.sampled_from(_SPECIAL)
TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=4)), max_size=10).map("".join)
"""Short texts made mostly of what each format treats specially; st.text() adds anything else (no lone surrogate:
a fact file is UTF-8)."""

_DAYS = st.dates(min_value=datetime.date(1000, 1, 1))
DATE = st.one_of(
    _DAYS.map(datetime.date.isoformat), _DAYS.map(lambda d: d.isoformat()[:7]), st.integers(1000, 9999).map(str)
)
ADDRESS = st.one_of(st.none(), TEXT, TEXT.map(lambda t: "https://fixture.invalid/" + t))


@st.composite
def sources(draw: st.DrawFn) -> Source:
    return Source(
        id=draw(st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True), TEXT)),
        publisher=draw(TEXT),
        title=draw(TEXT),
        date=draw(DATE),
        url=draw(ADDRESS),
        authors=tuple(draw(st.lists(TEXT, max_size=3))),
        note=draw(TEXT),
        kind=draw(st.one_of(st.none(), st.sampled_from(SourceKind))),
        read_at=draw(ADDRESS),
        reprinted_by=draw(TEXT),
        checked=draw(st.one_of(st.none(), DATE)),
        undated=draw(st.booleans()),
    )


def _address(source: Source) -> str | None:
    """The one address every style gives, as written: the source's own, else the copy's."""
    return source.url or source.read_at or None


def _expected_address(source: Source) -> str | None:
    address = _address(source)
    if address is None:
        return None
    written = address_text(address)
    assert unquote(written) == unquote(address)  # the same address, percent-decoded
    assert not any(c.isspace() or c in '{}"<>\\^`|' or unicodedata.category(c) in ("Cc", "Cf") for c in written)
    return written


def _notes(source: Source) -> str:
    return " ".join(n if n.endswith(".") else n + "." for n in (copy_note(readable(source)), undated_note(source)) if n)


def _check_bibtex_fields(fields: dict[str, Any], source: Source, publisher_field: str) -> None:
    assert fields["title"] == field_text(source.title)
    assert fields[publisher_field] == field_text(source.publisher)
    assert fields.get("author", []) == [field_text(name) for name in source.authors]
    assert fields.get("url") == _expected_address(source)
    assert fields.get("note", "") == _notes(source)


@SETTINGS
@given(sources())
def test_bibtex_reads_back(source: Source) -> None:
    (key, fields), *others = bibtex_entries(cite([source], CitationStyle.BIBTEX)).items()
    assert not others and key == bibtex_key(field_text(source.id))
    _check_bibtex_fields(fields, source, "howpublished")
    assert fields["key"] == field_text(source.publisher) and "publisher" not in fields
    assert ("year" in fields) is not source.undated
    if not source.undated:
        assert fields["year"] == source.date[:4]


@SETTINGS
@given(sources())
def test_biblatex_reads_back(source: Source) -> None:
    (key, fields), *others = bibtex_entries(cite([source], CitationStyle.BIBLATEX)).items()
    assert not others and key == bibtex_key(field_text(source.id))
    assert fields["type"] == ("online" if _address(source) else "misc")
    _check_bibtex_fields(fields, source, "organization")
    assert fields["date"] == source.date + ("/.." if source.undated else "")
    language = title_language(field_text(source.title))
    assert fields.get("langid") == (language[0] if language else None)


@SETTINGS
@given(sources())
def test_ris_reads_back(source: Source) -> None:
    (record,) = ris_records(cite([source], CitationStyle.RIS))
    assert record["id"] == field_text(source.id)
    assert record["title"] == field_text(source.title) and record["publisher"] == field_text(source.publisher)
    assert record.get("authors", []) == [field_text(name) for name in source.authors]
    address = _expected_address(source)
    assert record.get("urls") == (None if address is None else [address.replace(";", "%3B")])
    assert record.get("notes", [""]) == [_notes(source)]
    assert ("year" in record) is not source.undated and ("date" in record) is not source.undated


@SETTINGS
@given(sources())
def test_csl_json_reads_back(source: Source) -> None:
    (item,) = csl_items(cite([source], CitationStyle.CSL_JSON))
    assert item["id"] == field_text(source.id)
    assert item["title"] == field_text(source.title) and item["publisher"] == field_text(source.publisher)
    assert item.get("author", []) == [{"literal": field_text(name)} for name in source.authors]
    assert item.get("URL") == _expected_address(source)
    if source.undated:
        assert item["issued"] == {"literal": f"n.d. [{source.date} or later]"}
    else:
        assert item["issued"] == {"date-parts": [[int(part) for part in source.date.split("-")]]}


_UNSAFE = {
    "\u2028",
    "\u2029",
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
}


def _raw_controls(text: str) -> list[str]:
    """Control characters (C0 but the line ends, DEL, C1), line separators and bidi controls in ``text``."""
    return [c for c in text.removesuffix("\n") if unicodedata.category(c) == "Cc" or c in _UNSAFE]


@SETTINGS
@given(sources())
def test_text_shows_every_field_and_no_control_character(source: Source) -> None:
    text = cite([source], CitationStyle.TEXT)
    assert _raw_controls(text) == [] and text.count("\n") == 1
    for field in (source.title, source.publisher, *source.authors):
        assert field_text(field) in text


@SETTINGS
@given(sources())
def test_markdown_shows_every_field_as_text_and_makes_no_markup(source: Source) -> None:
    markdown = cite([source], CitationStyle.MARKDOWN)
    assert _raw_controls(markdown) == [] and markdown.count("\n") == 1
    rendered = markdown_html(markdown)
    assert live_html(rendered) == [], rendered
    shown = rendered_text(rendered)
    for field in (source.id, source.title, source.publisher, *source.authors):
        assert field_text(field) in shown, (field_text(field), shown)
