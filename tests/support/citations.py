"""Reading citations back as the tools people use read them: BibTeX and biblatex (bibtexparser,
with LaTeX decoded by pylatexenc), RIS (rispy), CSL-JSON (the CSL schema) and Markdown (markdown-it,
CommonMark with raw HTML on, as a browser would show it).

The tests of ``hohhot cite`` import these from here (``from support.citations import ...``).
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any

from support import REPO

CSL_SCHEMA_PATH = REPO / "tests" / "data" / "csl-data.json"

VERBATIM_FIELDS = frozenset({"url", "urldate", "date", "year", "month", "langid"})
"""Fields a BibTeX reader takes as written, not as LaTeX (biblatex's verbatim and date fields)."""


@lru_cache(maxsize=1)
def csl_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CSL_SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def csl_items(text: str) -> list[dict[str, Any]]:
    """The items of a CSL-JSON text, checked against the CSL schema."""
    import jsonschema

    items: list[dict[str, Any]] = json.loads(text)
    jsonschema.validate(items, csl_schema())
    return items


@lru_cache(maxsize=1)
def _latex_decoder() -> Any:
    """pylatexenc's decoder, plus four LaTeX text symbols it does not know (their LaTeX meaning)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db().filter_context()
    extra = {"textbraceleft": "{", "textbraceright": "}", "textasciicircum": "^", "textasciigrave": "`"}
    context.add_context_category("hohhot-tests", prepend=True, macros=[MacroTextSpec(n, t) for n, t in extra.items()])
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


def latex_text(value: str) -> str:
    """What a field's LaTeX prints."""
    text: str = _latex_decoder().latex_to_text(value)
    return text


def bibtex_entries(text: str) -> dict[str, dict[str, Any]]:
    """Every entry of a .bib text by key: ``type``, each field as printed, ``author`` as a list of names."""
    import bibtexparser
    from bibtexparser.middlewares.names import split_multiple_persons_names

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    entries: dict[str, dict[str, Any]] = {}
    for entry in library.entries:
        fields: dict[str, Any] = {"type": entry.entry_type}
        for field in entry.fields:
            if field.key == "author":
                fields["author"] = [latex_text(name) for name in split_multiple_persons_names(field.value)]
            elif field.key in VERBATIM_FIELDS:
                fields[field.key] = field.value
            else:
                fields[field.key] = latex_text(field.value)
        entries[entry.key] = fields
    return entries


def ris_records(text: str) -> list[dict[str, Any]]:
    """The records of an RIS text as rispy reads them (``TI`` is ``title``, ``UR`` ``urls``...)."""
    import rispy

    records: list[dict[str, Any]] = rispy.loads(text)
    return records


def markdown_html(text: str) -> str:
    """The HTML a CommonMark renderer makes of Markdown, raw HTML passed through as browsers get it."""
    from markdown_it import MarkdownIt

    rendered: str = MarkdownIt("commonmark").render(text)
    return rendered


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_WEB_LINK = re.compile(r' href="https?://[^"]*"', re.IGNORECASE)
ALLOWED_TAGS = frozenset({"ul", "li", "p", "a"})


def live_html(rendered: str) -> list[str]:
    """The tags of rendered HTML that a CommonMark list of citations should never hold: anything but the
    list itself and links to http(s) addresses."""
    wrong = []
    for match in _TAG.finditer(rendered):
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        opens_other_link = name == "a" and not closing and not _WEB_LINK.fullmatch(attributes)
        if name not in ALLOWED_TAGS or opens_other_link:
            wrong.append(match.group())
    return wrong


def rendered_text(rendered: str) -> str:
    """The text a reader sees in rendered HTML."""
    return html.unescape(_TAG.sub("", rendered))


HOSTILE_TEXT = (
    "Ann \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \x1b[2J\x9b31m \u202eevil\u202c <script>alert(1)</script>"
    " &amp; &#x3C; [x](javascript:alert(1)) ![i](x) *a* _b_ `c` ~d~ ^e^ $f$ @g | h"
    " {unclosed } }{ \\ \\} % # -- '' ,, << \x00\x08\x0b\x0c\x7f\x85 line\nbreak\r\nand\u2028more\ttab"
)
"""Terminal escapes (OSC 8, CSI, C1), bidi controls, HTML, character references, Markdown and pandoc
markup, unpaired braces, TeX specials and ligatures, control characters and every kind of line break."""


def hostile_sources() -> list[Any]:
    """Sources with :data:`HOSTILE_TEXT` in every text field and hostile addresses, dated and undated."""
    from hohhot_cli.model.facts import Source, SourceKind

    return [
        Source(
            id="hostile-dated",
            publisher="Publisher " + HOSTILE_TEXT,
            title="Title " + HOSTILE_TEXT,
            date="2024-05-28",
            url="https://fixture.invalid/a b{c}\\d\x1b\n%7B<e>",
            authors=("Author " + HOSTILE_TEXT, "{Second} and Third"),
            kind=SourceKind.NATIONAL_MEDIA,
            checked="2024-06",
            note=HOSTILE_TEXT,
        ),
        Source(
            id="hostile-undated",
            publisher=HOSTILE_TEXT,
            title="\\" + HOSTILE_TEXT,
            date="2021",
            kind=SourceKind.REPRINT,
            read_at="javascript:alert(1)",
            reprinted_by=HOSTILE_TEXT,
            undated=True,
        ),
    ]
