"""Robustness: output that reads one way only.

- Markdown character references in fact-file text are text, never characters (``&#x202E;``).
- A stdout that cannot encode Chinese (``PYTHONIOENCODING=ascii``) never makes 乳业 read the
  same as a label that holds the text ``\\u4e73\\u4e1a``: JSON uses its own escapes, tables
  backslash escapes with the text's own backslashes doubled, Markdown character references,
  and CSV and citations are UTF-8 whatever the encoding.
- A byte of an argument that is not UTF-8 is shown as ``\\xff`` in every message, on the
  direct path and Typer's alike, never as ``\\udcff``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest
from support import Runner
from support.checks import run
from support.factfiles import edited_copy

LITERAL = "\\u4e73\\u4e1a"
"""Six-plus-six characters a label may hold, spelled like the escapes of 乳业."""


@pytest.fixture(scope="module")
def lookalike(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with dairy's English name the text ``\\u4e73\\u4e1a``; its Chinese name stays 乳业."""
    dairy = 'name = "Dairy"\nname_zh = "乳业"\nkind = "pillar"'  # the industry's (a topic has the same name)
    return edited_copy(
        tmp_path_factory.mktemp("lookalike"),
        (dairy, dairy.replace("Dairy", "\\\\u4e73\\\\u4e1a")),
        ('title = "Invented interview with a mayor"', 'title = "\\\\u4e73\\\\u4e1a and 乳业"'),
    )


def _ascii(facts: Path, *args: str) -> bytes:
    result = run("--facts", str(facts), *args, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert not result.stderr, result.stderr
    return bytes(result.stdout)


# -- 4. character references in Markdown -------------------------------------------------


def test_markdown_character_references_stay_text(hohhot: Runner, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    dairy = 'name = "Dairy"\nname_zh = "乳业"\nkind = "pillar"'  # the industry's (a topic has the same name)
    facts = edited_copy(tmp_path, (dairy, dairy.replace("Dairy", "&#x202E;evil &amp; &lt;b&gt; &copy;")))
    out = hohhot("--facts", str(facts), "industries", "-f", "markdown").stdout
    shown = html.unescape(MarkdownIt("commonmark").enable("table").render(out))
    assert "\u202e" not in shown and "©" not in shown, "no reference makes its character"
    assert "&#x202E;evil &amp; &lt;b&gt; &copy;" in shown, "the text shows as written"


# -- 6. an ASCII stdout ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["command", "export"])
def test_csv_on_an_ascii_stdout_is_utf8(lookalike: Path, how: str) -> None:
    args = ("industries", "-f", "csv") if how == "command" else ("export", "-o", "-", "-f", "csv")
    data = _ascii(lookalike, *args)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    if how == "command":
        dairy = next(row for row in rows if row["id"] == "dairy")
        assert (dairy["name"], dairy["name_zh"]) == (LITERAL, "乳业")
    else:
        titles = {row["source_titles"] for row in rows if row["source_ids"] == "fg-mayor-2024"}
        assert titles == {f"{LITERAL} and 乳业"}


def test_table_on_an_ascii_stdout_doubles_the_texts_backslashes(lookalike: Path) -> None:
    lines = _ascii(lookalike, "industries", "dairy", "--all").decode("ascii").splitlines()
    assert "Name: \\\\u4e73\\\\u4e1a" in lines, "the text's own, its backslashes doubled"
    assert "Chinese: \\u4e73\\u4e1a" in lines, "乳业, which the stream cannot hold"


def test_markdown_on_an_ascii_stdout_writes_character_references(lookalike: Path) -> None:
    from markdown_it import MarkdownIt

    text = _ascii(lookalike, "industries", "dairy", "--all", "-f", "markdown").decode("ascii")
    shown = MarkdownIt("commonmark").render(text)
    assert "<p>Name: \\\\u4e73\\\\u4e1a</p>" in shown, "the text's own, its backslashes doubled as in a table"
    assert "Chinese: &#20083;&#19994;" in text and "<p>Chinese: 乳业</p>" in shown, "乳业, by character references"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_on_an_ascii_stdout_uses_its_own_escapes(lookalike: Path, fmt: str) -> None:
    text = _ascii(lookalike, "industries", "-f", fmt).decode("ascii")
    records = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
    dairy = next(r for r in records if r["id"] == "dairy")
    assert (dairy["name"], dairy["name_zh"]) == (LITERAL, "乳业")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_export_on_an_ascii_stdout_is_json(tmp_path: Path, fmt: str) -> None:
    """Beyond U+FFFF too: a surrogate pair, never Python's \\U0001f404 (not JSON)."""
    facts = edited_copy(tmp_path, ('note = "As first published."', 'note = "As first published. 🐄"'))
    text = _ascii(facts, "export", "-o", "-", "-f", fmt).decode("ascii")
    assert "\\ud83d\\udc04" in text
    records = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else [json.loads(text)]
    assert "As first published. 🐄" in json.dumps(records, ensure_ascii=False)


@pytest.mark.parametrize("style", ["text", "bibtex", "biblatex", "ris", "csl-json", "markdown"])
def test_citations_on_an_ascii_stdout(lookalike: Path, style: str) -> None:
    data = _ascii(lookalike, "cite", "fg-mayor-2024", "--style", style)
    if style == "csl-json":
        assert json.loads(data.decode("ascii"))[0]["title"] == f"{LITERAL} and 乳业"
    elif style == "markdown":
        assert "&#20083;&#19994;" in data.decode("ascii")
    else:
        text = data.decode("utf-8")
        assert "乳业" in text and text.count("u4e73") == 1


# -- 7. bytes of arguments that are not UTF-8 ---------------------------------------------

BYTE = "\udcff"
"""What Python makes of the byte 0xff in an argument (surrogateescape)."""

ARGUMENTS = [
    ("metric", BYTE),
    ("search", BYTE),
    ("sources", BYTE),
    ("industries", BYTE),
    ("metric", "gdp", "--period", BYTE),
    ("metrics", "-f", "json", "--fields", BYTE),
    ("metrics", "--format", BYTE),
    ("schema", BYTE),
    ("metric", "gdp", "--kind", BYTE),
    ("cite", "gdp", "--style", BYTE),
    ("export", "-f", BYTE),
    (BYTE,),
    ("metrics", "--topic", BYTE),
    ("show", BYTE),
    ("compare", BYTE, "gdp.total"),
    ("--facts", f"/nonexistent/{BYTE}", "metrics"),
]


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "typer"])
@pytest.mark.parametrize("args", ARGUMENTS, ids=lambda args: " ".join(a.replace(BYTE, "xff") for a in args))
def test_a_byte_of_an_argument_shows_as_a_byte(hohhot: Runner, args: tuple[str, ...], direct: bool) -> None:
    result = hohhot(*args, direct=direct)
    assert result.exit_code in (0, 1, 2), result
    assert "\\xff" in result.stderr and "udcff" not in result.stderr, result.stderr


def test_a_byte_of_an_argument_in_a_subprocess() -> None:
    """The console script, given the byte itself: the message says \\xff (and is ASCII here)."""
    result = run("metric", "gdp", "--kind", "\udcff")  # subprocess passes it on as the byte 0xff
    assert result.returncode == 2
    assert result.stderr.startswith(b"hohhot: usage: --kind '\\xff' is not one of"), result.stderr


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("no metric '\\udcff'", "no metric '\\xff'"),  # a quoted byte
        ("no metric 'a\\udc80b'", "no metric 'a\\x80b'"),
        ("no metric '\\\\udcff'", "no metric '\\\\udcff'"),  # the text \udcff, typed: its backslash doubled
        ("no metric '\\\\\\udcff'", "no metric '\\\\\\xff'"),  # a backslash of the text, then the byte
        ("no metric '\\ud800'", "no metric '\\ud800'"),  # a surrogate no byte stands for
        (f"{BYTE}: no such file", "\\xff: no such file"),  # unquoted
        ("esc \x1b[2J bidi \u202e", "esc \\x1b[2J bidi \\u202e"),
    ],
)
def test_message_text(message: str, shown: str) -> None:
    from hohhot_cli.cli.environment import message_text

    assert message_text(message) == shown
