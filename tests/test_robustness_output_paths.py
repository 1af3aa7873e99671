"""Robustness: every text output path, in every format, on a fact file whose every text field is hostile.

Each path has one sanitiser for its format: tables and Markdown show text through
``humanize.visible`` (controls as ``\\x1b``, a backslash of the text doubled), Markdown escapes
its markup and character references on top, JSON escapes with ``\\u``, CSV makes controls
visible before it neutralises formulas, citations escape for their style, messages go
through ``Environment.error``, and completion offers ids only (ASCII by the grammar). Here
every label, name, title, publisher, author, alias, tag, note, description and text holds
escape sequences (CSI, OSC 8, OSC 52), BEL, C1 controls, bidi overrides and isolates, HTML,
``javascript:`` links, a character reference, rich markup, Markdown links and a line that
starts with ``#``; every address holds HTML. No raw control character and no live markup
may reach the output.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURE, Result, Runner, complete
from support.checks import assert_no_crash, raw_controls, strings_in
from support.factfiles import to_toml, toml_string

from hohhot_cli.load.loader import load_facts
from hohhot_cli.load.reading import parse_toml
from hohhot_cli.output.encode import neutralise

HOSTILE = (
    "# OWNED \x1b[31mred\x1b[0m \x1b]8;;https://evil.invalid/\x1b\\osc8\x1b]8;;\x1b\\ \x1b]52;c;b3duZWQ=\x07 "
    "bel\x07 c1\x9b2J\x85 bidi\u202eevil\u202c iso\u2066x\u2069 <script>alert(1)</script> "
    '<a href="javascript:alert(1)">a</a> [link](javascript:alert(1)) ![i](javascript:alert(2)) '
    "<javascript:alert(3)> &#x202E; &lt;b&gt; [bold red]x[/] *em* _u_ `code` ~~s~~ | pipe\n"
    "# heading\n> quote\r\n- item end"
)
"""Every text field holds this, then a space and a number of its own (aliases must differ)."""

ADDRESS = 'https://x.invalid/"><script>alert(1)</script>?javascript:alert(1)'
"""Every address: a valid http(s) URL that holds HTML."""

_TEXT_KEYS = {
    "label", "label_zh", "note", "name", "name_zh", "title", "publisher", "description", "text",
    "province", "province_zh", "reprinted_by",
}  # fmt: skip
_LIST_KEYS = {"authors", "aliases", "tags"}

FORMATS = ("table", "json", "jsonl", "csv", "markdown")
COMMANDS: list[tuple[str, ...]] = [
    ("overview",),
    ("metrics",),
    ("metric", "gdp"),
    ("metric", "gdp.total", "--latest"),
    ("compare", "gdp.total"),
    ("compare", "trade.exports", "trade.imports"),
    ("compare", "--industries"),
    ("industries",),
    ("industries", "dairy"),
    ("sources",),
    ("sources", "fg-census-2020"),  # a reprint: read_at and reprinted_by too
    ("search", "OWNED"),
    ("show", "plans.airport"),
    ("show", "steppe"),
    ("show", "dairy"),
    ("show", "gdp.total"),
    ("show", "fg-profile"),
]
CITE_STYLES = ("text", "markdown", "bibtex", "biblatex", "csl-json", "ris")


def _hostile(document: Any, counter: Iterator[int]) -> Any:
    """The document with every text field replaced by HOSTILE and a number, every address by ADDRESS."""
    if isinstance(document, list):
        return [_hostile(item, counter) for item in document]
    if not isinstance(document, dict):
        return document
    out = {}
    for key, value in document.items():
        if key in _TEXT_KEYS and isinstance(value, str):
            out[key] = f"{HOSTILE} {next(counter)}"
        elif key in _LIST_KEYS:
            out[key] = [f"{HOSTILE} {next(counter)}" for _ in ([value] if isinstance(value, str) else value)]
        elif key in ("url", "read_at"):
            out[key] = ADDRESS
        else:
            out[key] = _hostile(value, counter)
    return out


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    document = _hostile(parse_toml(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE)), iter(range(1, 10_000)))
    path = tmp_path_factory.mktemp("paths") / "hostile.toml"
    path.write_text(to_toml(document), encoding="utf-8")
    base = load_facts(path)  # valid: the hostile text is data, and data is what is tested
    texts = [base.city.name, *(m.label for m in base.metrics), *(s.title for s in base.sources)]
    texts += [f.text for f in base.facts] + [a for i in base.industries for a in i.aliases]
    assert all(text.startswith(HOSTILE) for text in texts)
    assert {s.url for s in base.sources if s.url} == {ADDRESS}
    return path


@pytest.fixture(scope="module")
def invalid_file(hostile_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile file made invalid by hostile text, under a hostile name: every problem quotes it."""
    text = hostile_file.read_text(encoding="utf-8")
    text = f"{toml_string(HOSTILE)} = 1\n" + text  # an unknown key
    text = text.replace('source = "fg-profile"', f"source = {toml_string(HOSTILE)}", 1)  # an unknown source
    text = text.replace('kind = "pillar"', f"kind = {toml_string(HOSTILE)}", 1)  # not one of the kinds
    path = tmp_path_factory.mktemp("invalid") / "bad \x1b]0;title\x07 \u202e\n# name.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- what each format may hold -----------------------------------------------------------


def _hostile_strings(strings: Iterator[str]) -> list[str]:
    return [s for s in strings if "OWNED" in s]


def _assert_json(text: str, fmt: str) -> None:
    documents = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else [json.loads(text)]
    found = _hostile_strings(strings_in(documents))
    assert found, "the hostile text is in the output"
    assert all(HOSTILE in s for s in found), "every copy comes back exactly"
    assert any(re.fullmatch(re.escape(HOSTILE) + r" \d+", s) for s in found), "a field comes back as it was"


def _assert_csv(text: str) -> None:
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(row) == len(header) for row in rows), "rows stay whole"
    found = _hostile_strings(cell for row in rows for cell in row)
    assert found and all(neutralise(HOSTILE) in cell for cell in found), found[:1]
    assert not raw_controls(text.replace("\r\n", "\n")), sorted(raw_controls(text))


_BLOCKS = {"blockquote_open", "ordered_list_open", "code_block", "fence", "hr", "html_block"}
_INLINE = {"html_inline", "image", "em_open", "strong_open", "s_open", "code_inline"}


def rendered_markdown(text: str) -> str:
    """Markdown as a viewer renders it, raw HTML allowed (a viewer that allows none would hide a failure)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for token in parser.parse(text):
        assert token.type not in _BLOCKS, (token.type, token.map)
        assert token.type != "heading_open" or token.tag == "h3", "only our own ### headings"
        for child in token.children or ():
            assert child.type not in _INLINE, (child.type, child.content)
            if child.type == "link_open":
                assert re.match(r"https?://", str(child.attrs.get("href", ""))), child.attrs
    shown: str = parser.render(text)
    return shown


def _assert_markdown(text: str, *, cell_text: bool = True) -> None:
    shown = rendered_markdown(text)
    assert "<script" not in shown and 'href="javascript:' not in shown.lower()
    tags = set(re.findall(r"</?([a-z0-9]+)", shown))
    assert tags <= {"h3", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a", "br"}, tags
    assert not raw_controls(html.unescape(shown)), "no character reference makes a control"
    if cell_text:
        assert "# OWNED \\x1b[31mred" in html.unescape(shown), "shown as written, the escape visible"
        assert "&amp;#x202E;" in shown and "[bold red]x[/]" in shown


def _assert_table(text: str) -> None:
    assert "\\x1b[31mred" in text, "the escape is shown, visibly"
    assert "[bold" in text and "<script>" in text, "rich markup and HTML print as they are"


def check(result: Result, fmt: str, *, text_shown: bool = True) -> None:
    assert result.exit_code == 0, result
    assert_no_crash(result.stdout, result.stderr)
    assert not raw_controls(result.stderr), sorted(raw_controls(result.stderr))
    assert all(line.startswith("hohhot: ") for line in result.stderr.splitlines()), result.stderr
    if fmt in ("json", "jsonl"):
        _assert_json(result.stdout, fmt)
    elif fmt == "csv":
        _assert_csv(result.stdout)
        return
    assert not raw_controls(result.stdout), sorted(raw_controls(result.stdout))
    if fmt == "markdown":
        _assert_markdown(result.stdout)
    elif fmt == "table" and text_shown:
        _assert_table(result.stdout)


# -- every command in every format -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_and_format(hohhot: Runner, hostile_file: Path, args: tuple[str, ...], fmt: str) -> None:
    result = hohhot("--facts", str(hostile_file), *args, "--format", fmt, env={"COLUMNS": "1000"})
    # The side-by-side table shows ids and values: no text of the file.
    check(result, fmt, text_shown=not (fmt == "table" and args[0] == "compare" and len(args) == 3))


@pytest.mark.parametrize("args", [("metrics",), ("metric", "gdp"), ("sources", "fg-census-2020"), ("overview",)])
def test_coloured_tables(hohhot: Runner, hostile_file: Path, args: tuple[str, ...]) -> None:
    """On a terminal with colour the only escape sequences are the table's SGR colours and links to addresses."""
    env = {"COLUMNS": "1000", "NO_COLOR": "", "FORCE_COLOR": "1"}
    result = hohhot("--facts", str(hostile_file), *args, env=env, tty=True)
    assert result.exit_code == 0, result
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    links = re.findall(r"\x1b\]8;[^\x07\x1b]*\x1b\\", plain)
    assert all(re.fullmatch(r"\x1b\]8;(id=\d+)?;(https?://[!#-;=?-~]*)?\x1b\\", link) for link in links), links
    plain = re.sub(r"\x1b\]8;[^\x07\x1b]*\x1b\\", "", plain)
    assert not raw_controls(plain), sorted(raw_controls(plain))
    _assert_table(plain)


@pytest.mark.parametrize("style", CITE_STYLES)
def test_citations(hohhot: Runner, hostile_file: Path, style: str) -> None:
    result = hohhot("--facts", str(hostile_file), "cite", "gdp", "fg-census-2020", "--style", style)
    assert result.exit_code == 0 and result.stderr == "", result
    assert not raw_controls(result.stdout.replace("\r\n", "\n")), sorted(raw_controls(result.stdout))
    assert "OWNED" in result.stdout
    if style == "markdown":
        _assert_markdown(result.stdout, cell_text=False)
    elif style == "csl-json":  # the readable fields every style starts from (cite.field_text), as JSON
        titles = [item["title"] for item in json.loads(result.stdout)]
        assert titles and all(title.startswith("# OWNED \\x1b[31mred") for title in titles), titles


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_to_stdout(hohhot: Runner, hostile_file: Path, fmt: str) -> None:
    check(hohhot("--facts", str(hostile_file), "export", "-o", "-", "-f", fmt), fmt)


def test_export_message_names_a_hostile_path(hohhot: Runner, hostile_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out \x1b]52;c;eA==\x07 \u202e.json"
    result = hohhot("--facts", str(hostile_file), "export", "-o", str(target))
    assert result.exit_code == 0, result
    assert result.stderr.startswith("hohhot: wrote ") and "\\x1b]52;c;eA==\\x07 \\u202e.json" in result.stderr
    assert not raw_controls(result.stderr)


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_a_valid_hostile_file(hohhot: Runner, hostile_file: Path, fmt: str) -> None:
    result = hohhot("validate", str(hostile_file), "--format", fmt)
    assert result.exit_code == 0, result
    assert not raw_controls(result.stdout.replace("\r\n", "\n")) and not raw_controls(result.stderr), result


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_an_invalid_hostile_file(hohhot: Runner, invalid_file: Path, fmt: str) -> None:
    """Problems quote the hostile text and name a hostile file: every line stays one line, nothing raw."""
    result = hohhot("validate", str(invalid_file), "--format", fmt)
    assert result.exit_code == 1, result
    assert_no_crash(result.stdout, result.stderr)
    text = result.stdout.replace("\r\n", "\n") if fmt == "csv" else result.stdout
    assert not raw_controls(text), sorted(raw_controls(text))
    if fmt in ("json", "jsonl"):
        record = json.loads(text.splitlines()[0] if fmt == "jsonl" else text)
        assert {p["file"] for p in record["problems"]} == {str(invalid_file)}, "the name comes back exactly"
        messages = [p["message"] for p in record["problems"]]
        assert f"unknown key {HOSTILE!r}" in messages and any(f"unknown source {HOSTILE!r}" in m for m in messages)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert len(rows) >= 3 and {row["file"] for row in rows} == {neutralise(str(invalid_file))}
    elif fmt == "markdown":
        _assert_markdown(result.stdout, cell_text=False)
    else:  # one problem a line, compiler style: the name's newline is shown, not made
        name = str(invalid_file.parent / "bad \\x1b]0;title\\x07 \\u202e\\x0a# name.toml")
        lines = result.stdout.splitlines()
        assert lines[0] == f"{name}: 3 problems" and all(line.startswith(f"{name}: ") for line in lines), lines


def test_one_line_error_on_an_invalid_hostile_file(hohhot: Runner, invalid_file: Path) -> None:
    for args in (("metrics",), ("overview", "--json"), ("export", "-o", "-")):
        result = hohhot("--facts", str(invalid_file), *args)
        assert result.exit_code == 1 and result.stdout == "", result
        name = str(invalid_file.parent / "bad \\x1b]0;title\\x07 \\u202e\\x0a# name.toml")
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"hohhot: error: {name}: "), result
        assert not raw_controls(result.stderr), sorted(raw_controls(result.stderr))


@pytest.mark.parametrize(
    "completer", ["complete_metric", "complete_industry", "complete_source", "complete_topic", "complete_any_id"]
)
def test_completion_offers_ids_only(hostile_file: Path, completer: str) -> None:
    """Completion candidates are ids, which the grammar keeps to ASCII letters, digits and . _ -."""
    offered = complete(completer, "", facts=hostile_file)
    assert offered, completer
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*", candidate) for candidate in offered), offered
