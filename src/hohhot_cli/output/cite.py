"""Citations of sources in the forms people and reference managers read.

``text`` and ``markdown`` are for reading; ``bibtex`` (classic BibTeX and its
``.bst`` styles), ``biblatex`` (biber), ``csl-json`` (pandoc, Zotero, citeproc)
and ``ris`` (EndNote, Zotero, Mendeley) for importing. A reprint cites the
original and says where the copy was read; an undated source is undated in
every style and says the earliest date it can have (``n.d., 2021 or later``).

Every style starts from the same readable fields (:func:`field_text`: line
breaks become spaces, other control characters visible escapes such as
``\\x1b``) and addresses (:func:`address_text`: percent-encoded wherever a URL
may not hold a character), then escapes them for its own format.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from hohhot_cli.model.facts import Source, SourceKind
from hohhot_cli.model.value import replace
from hohhot_cli.output.humanize import SOURCE_KIND_LABELS, citation, clean


class CitationStyle(str, Enum):
    """The forms ``hohhot cite`` prints."""

    TEXT = "text"
    MARKDOWN = "markdown"
    BIBTEX = "bibtex"
    BIBLATEX = "biblatex"
    CSL_JSON = "csl-json"
    RIS = "ris"


# -- the readable fields every style starts from ------------------------------------

_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
_SPACES = re.compile(" {2,}")
_BIDI_MARKS = re.compile("[\u061c\u200e\u200f]")  # what clean() leaves of the bidi controls
# What an address may hold as it is: the ASCII of URLs (RFC 3986), and any other character
# that is visible (not whitespace, a control, a format or bidi control, nor a lone surrogate).
_NOT_URL_ASCII = re.compile(r"[^!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def field_text(text: str) -> str:
    """A field on one line: line breaks and tabs are spaces, other controls visible escapes, no double space."""
    text = _BIDI_MARKS.sub(lambda m: f"\\u{ord(m.group()):04x}", clean(_BREAKS.sub(" ", text)))
    return _SPACES.sub(" ", text).strip()


def address_text(address: str) -> str:
    """An address with every character a URL may not hold percent-encoded (``%20``, ``%7B``); a URL stays as it is."""
    return _NOT_URL_ASCII.sub(_percent, address)


def _percent(match: re.Match[str]) -> str:
    import unicodedata  # only for an address that holds more than a URL's ASCII

    char = match.group()
    code = ord(char)
    if code > 0x7F and unicodedata.category(char) not in _INVISIBLE:
        return char  # an IRI's letters (https://例子.测试/路径) stay as written
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file, kept by surrogateescape: the byte itself
        return f"%{code - 0xDC00:02X}"
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogatepass"))


def readable(source: Source) -> Source:
    """The source with every text field through :func:`field_text` and every address through :func:`address_text`."""
    return replace(
        source,
        id=field_text(source.id),
        publisher=field_text(source.publisher),
        title=field_text(source.title),
        authors=tuple(field_text(name) for name in source.authors),
        reprinted_by=field_text(source.reprinted_by),
        note=field_text(source.note),
        url=None if source.url is None else address_text(source.url),
        read_at=None if source.read_at is None else address_text(source.read_at),
    )


def _address(source: Source) -> str | None:
    """The one address a citation links to: the source's own, else the copy's."""
    return source.url or source.read_at


def undated_note(source: Source) -> str:
    """``n.d., 2021 or later`` for an undated source, else nothing."""
    return f"n.d., {source.date} or later" if source.undated else ""


def copy_note(source: Source) -> str:
    """That a reprint was read in a copy, whose address is the citation's one address field."""
    if not source.read_at:
        return ""
    by = f" by {source.reprinted_by}" if source.reprinted_by else ""
    return f"Read in a copy{by}; the address is the copy's."


def _notes(*notes: str) -> str:
    return " ".join(note if note.endswith(".") else note + "." for note in notes if note)


def _kind_label(source: Source) -> str:
    return SOURCE_KIND_LABELS[source.kind] if source.kind is not None else ""


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def title_language(title: str) -> tuple[str, str] | None:
    """``("chinese", "zh")`` (biblatex's ``langid``, BCP 47) for a title mostly in Chinese characters.

    Japanese (kana) and Korean (hangul) are told apart; a Latin title that names a place in
    Chinese characters (``Hohhot (呼和浩特)``) is not Chinese.
    """
    han, kana, hangul = (len(pattern.findall(title)) for pattern in (_HAN, _KANA, _HANGUL))
    if han + kana + hangul <= len(_LATIN.findall(title)):
        return None
    if kana:
        return ("japanese", "ja")
    if hangul:
        return ("korean", "ko")
    return ("chinese", "zh")


# -- CSL-JSON -----------------------------------------------------------------------

_CSL_TYPES = {
    SourceKind.OFFICIAL: "report",
    SourceKind.NATIONAL_MEDIA: "article-newspaper",
    SourceKind.REPRINT: "article-newspaper",
    SourceKind.SECONDARY: "webpage",
    SourceKind.COMPANY: "webpage",
    SourceKind.INTERNATIONAL: "report",
}

_RIS_TYPES = {"report": "RPRT", "article-newspaper": "NEWS", "webpage": "ELEC"}


def _type(source: Source) -> str:
    return "webpage" if source.kind is None else _CSL_TYPES[source.kind]


def _date_parts(date: str) -> list[int]:
    return [int(part) for part in date.split("-") if part.isdigit()]


def csl_item(source: Source) -> dict[str, Any]:
    """A source as a CSL-JSON item; an undated one is ``"issued": {"literal": "n.d. [2021 or later]"}``."""
    source = readable(source)
    kind = _type(source)
    item: dict[str, Any] = {"id": source.id, "type": kind, "title": source.title, "publisher": source.publisher}
    if kind == "article-newspaper":
        item["container-title"] = source.publisher
    if source.authors:
        item["author"] = [{"literal": name} for name in source.authors]
    if source.undated:
        item["issued"] = {"literal": f"n.d. [{source.date} or later]"}
    else:
        item["issued"] = {"date-parts": [_date_parts(source.date)]}
    address = _address(source)
    if address:
        item["URL"] = address
    if source.checked:
        item["accessed"] = {"date-parts": [_date_parts(source.checked)]}
    language = title_language(source.title)
    if language:
        item["language"] = language[1]
    if source.kind is not None:
        item["keyword"] = _kind_label(source)
    note = copy_note(source)
    if note:
        item["note"] = note
    return item


# -- BibTeX and biblatex ------------------------------------------------------------

_TEX_SPECIAL = re.compile(r"[\\{}%#&$_~^`]")
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "`": r"\textasciigrave{}",
}
# Two characters TeX would join into one (-- is a dash, '' a quote, ,, << >> quotes in T1).
_LIGATURE = re.compile(r"([-',<>])(?=\1)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def tex(text: str) -> str:
    """A readable field as BibTeX and LaTeX read it: the same text, printed as it is.

    Braces that pair up are written ``\\{ \\}`` (what every reader knows); a brace without
    its pair ``\\textbraceleft{}`` or ``\\textbraceright{}``, since BibTeX counts ``\\{`` as
    a brace and a lone one would end the field or swallow the next.
    """
    paired = _paired_braces(text)

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in "{}":
            if match.start() in paired:
                return "\\" + char
            return r"\textbraceleft{}" if char == "{" else r"\textbraceright{}"
        return _TEX_ESCAPES[char]

    return _LIGATURE.sub(r"\1{}", _TEX_SPECIAL.sub(escape, text))


def _paired_braces(text: str) -> set[int]:
    """The positions of the braces of ``text`` that close or are closed by another."""
    opened: list[int] = []
    paired: set[int] = set()
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    return paired


def _group(text: str) -> str:
    """Escaped text as one brace group: kept as written (no case change, no split on "and")."""
    escaped = tex(text)
    # A group that starts with a backslash is one "special character" to BibTeX: {} in front prevents it.
    return "{" + ("{}" if escaped.startswith("\\") else "") + escaped + "}"


def bibtex_key(source_id: str) -> str:
    """The entry key: the id, with any character a key cannot hold (space, comma, brace, quote...) as ``-``."""
    return re.sub(r"[^\w.:+/-]", "-", source_id, flags=re.ASCII) or "source"


def _entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _common_fields(source: Source) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    if source.authors:
        fields.append(("author", "{" + " and ".join(_group(name) for name in source.authors) + "}"))
    fields.append(("title", "{" + _group(source.title) + "}"))
    return fields


def _tail_fields(source: Source, note: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    address = _address(source)
    if address:
        # A verbatim field: biber, biblatex and the url package read it as it is (address_text made it safe).
        fields.append(("url", "{" + address + "}"))
        if source.checked:
            fields.append(("urldate", "{" + source.checked + "}"))
    if source.kind is not None:
        fields.append(("keywords", "{" + tex(_kind_label(source)) + "}"))
    if note:
        fields.append(("note", "{" + tex(note) + "}"))
    return fields


def bibtex_entry(source: Source) -> str:
    """A source as a classic BibTeX ``@misc`` entry, as ``plain.bst`` and its kin print it.

    The publisher is ``howpublished`` (what ``plain.bst`` prints for ``@misc``), the date
    ``year`` and ``month`` (none for an undated source: the note says ``n.d., 2021 or
    later``), the address one ``url`` field, and ``key`` the publisher, which sorts and
    labels an entry without authors.
    """
    source = readable(source)
    fields = _common_fields(source)
    fields.append(("howpublished", "{" + _group(source.publisher) + "}"))
    parts = [] if source.undated else _date_parts(source.date)
    if parts:
        fields.append(("year", "{" + source.date.split("-")[0] + "}"))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[parts[1] - 1]))
    fields += _tail_fields(source, _notes(copy_note(source), undated_note(source)))
    fields.append(("key", "{" + tex(source.publisher) + "}"))
    return _entry("misc", bibtex_key(source.id), fields)


def biblatex_entry(source: Source) -> str:
    """A source as a biblatex entry that biber's data model accepts without a warning.

    ``@online`` with an address (``@misc`` without one: ``@online`` requires it), the
    publisher as ``organization``, an ISO ``date``; an undated source has the open range
    ``2021/..`` (2021 or later: biblatex requires a date) and the note ``n.d., 2021 or
    later``. A title in Chinese, Japanese or Korean has a ``langid``.
    """
    source = readable(source)
    fields = _common_fields(source)
    fields.append(("organization", "{" + _group(source.publisher) + "}"))
    fields.append(("date", "{" + source.date + ("/.." if source.undated else "") + "}"))
    language = title_language(source.title)
    if language:
        fields.append(("langid", "{" + language[0] + "}"))
    fields += _tail_fields(source, _notes(copy_note(source), undated_note(source)))
    return _entry("online" if _address(source) else "misc", bibtex_key(source.id), fields)


# -- RIS ----------------------------------------------------------------------------


def _ris_date(date: str) -> str:
    parts = [*date.split("-"), "", ""]
    return f"{parts[0]}/{parts[1]}/{parts[2]}/"


def ris_record(source: Source) -> str:
    """A source as an RIS record: one line a field, CRLF; an undated source has no ``PY`` nor ``DA``."""
    source = readable(source)
    kind = _type(source)
    lines = [("TY", _RIS_TYPES[kind])]
    lines += [("AU", name) for name in source.authors]
    lines.append(("TI", source.title))
    if kind == "article-newspaper":
        lines.append(("T2", source.publisher))
    lines.append(("PB", source.publisher))
    if not source.undated:
        lines.append(("PY", source.date[:4]))
        lines.append(("DA", _ris_date(source.date)))
    address = _address(source)
    if address:
        lines.append(("UR", address.replace(";", "%3B")))  # RIS separates addresses in one UR with ";"
        if source.checked:
            lines.append(("Y2", _ris_date(source.checked)))
    language = title_language(source.title)
    if language:
        lines.append(("LA", language[1]))
    if source.kind is not None:
        lines.append(("KW", _kind_label(source)))
    note = _notes(copy_note(source), undated_note(source))
    if note:
        lines.append(("N1", note))
    lines.append(("ID", source.id))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines) + "ER  - \r\n"


# -- Markdown and text --------------------------------------------------------------

# Every ASCII character that can start Markdown markup inside a line, in CommonMark, GitHub
# and pandoc: emphasis, code, links, HTML and character references, strike-through,
# super- and subscripts, maths, citations, tables.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~^$@|])")
_LINKABLE = re.compile(r"https?://[^/?#]+\S*", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """A readable field as Markdown text: markup characters backslash-escaped, so it shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_link(address: str) -> str:
    """An http(s) address as a Markdown autolink; any other address (``javascript:``...) as plain text."""
    return f"<{address}>" if _LINKABLE.fullmatch(address) else markdown_text(address)


def markdown_citation(source: Source) -> str:
    """A Markdown list item: the citation, its text escaped, its http(s) address a link."""
    source = readable(source)
    escaped = replace(
        source,
        publisher=markdown_text(source.publisher),
        title=markdown_text(source.title),
        authors=tuple(markdown_text(name) for name in source.authors),
        reprinted_by=markdown_text(source.reprinted_by),
        url=None if source.url is None else markdown_link(source.url),
        read_at=None if source.read_at is None else markdown_link(source.read_at),
    )
    text = citation(escaped)
    if source.kind is not None:  # "[national media]" would be a link to a reference of that name
        label = _kind_label(source)
        text = text.replace(f" [{label}]", f" \\[{label}\\]")
    return f"- {markdown_text(source.id)}: {text}"


def text_citation(source: Source) -> str:
    """A plain-text line: ``id: citation``, every control character neutralised."""
    source = readable(source)
    return f"{source.id}: {citation(source)}"


def cite(sources: list[Source], style: CitationStyle) -> str:
    """The citations of ``sources`` in one style, each source once, in the order given."""
    if style is CitationStyle.CSL_JSON:
        from hohhot_cli.output.encode import to_json  # the one JSON encoder: controls escaped as everywhere

        return to_json([csl_item(s) for s in sources]) + "\n"
    if style is CitationStyle.BIBTEX:
        return "\n".join(bibtex_entry(s) for s in sources)
    if style is CitationStyle.BIBLATEX:
        return "\n".join(biblatex_entry(s) for s in sources)
    if style is CitationStyle.RIS:
        return "\r\n".join(ris_record(s) for s in sources)
    if style is CitationStyle.MARKDOWN:
        return "".join(markdown_citation(s) + "\n" for s in sources)
    return "".join(text_citation(s) + "\n" for s in sources)
