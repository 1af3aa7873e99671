"""Robustness: hostile strings in arguments and in fact files (markup, escapes, controls, bidi, HTML).

Text from a fact file or the command line is printed as it is and inert: rich markup
literally, control characters as visible escapes in tables and Markdown, as \\u escapes in JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from support import FIXTURE, Runner
from support.checks import assert_no_crash, raw_controls, strings_in
from support.factfiles import edited_copy, toml_string

from hohhot_cli.load.loader import load_facts

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "\x1b]0;owned\x07"),
        ("search", "\x1b[31mred"),
        ("bo\x1b[31mgus",),
        ("metric", "gdp", "--format", "\x1b[2J"),
        ("metric", "gdp", "--x\x1b[31m"),
        ("industries", "a", "b\nc\x1b[2J"),
        ("sources", "\x9b2J"),
        ("compare", "a\u202eb"),
    ],
    ids=["unknown-id", "search", "command", "format", "option", "extra-argument", "c1", "bidi"],
)
def test_hostile_arguments_are_echoed_safely(hohhot: Runner, args: tuple[str, ...]) -> None:
    """Arguments echoed in messages or titles are escaped: one line per message, no control reaches the terminal."""
    result = hohhot(*args)
    assert result.exit_code in (0, 1, 2), result
    assert not raw_controls(result.stdout) and not raw_controls(result.stderr), result
    assert all(line.startswith("hohhot: ") for line in result.stderr.splitlines()), result
    assert_no_crash(result.stdout, result.stderr)


# -- 2. hostile strings ------------------------------------------------------------

MARKUP = "[bold red]x[/] [link=https://example.invalid]click[/link] :warning:"
HOSTILE = (
    f"{MARKUP} \x1b[31mred\x1b[0m \x1b]0;title\x07 bel\x07 cr\r tab\t c0\x01\x02\x7f "
    "c1\x85\x9b2J bidi\u202eevil\u202c iso\u2066x\u2069 ls\u2028ps\u2029 end"
)
HOSTILE_COMMANDS: list[tuple[str, ...]] = [
    ("overview",),
    ("metrics",),
    ("metric", "gdp"),
    ("industries",),
    ("industries", "dairy"),
    ("sources",),
    ("sources", "fg-mayor-2024"),
    ("compare", "gdp.total"),
    ("compare", "--industries"),
    ("search", "bold"),
]
# The side-by-side table shows ids, not labels: only its JSON carries the hostile text.
HOSTILE_JSON_COMMANDS = [*HOSTILE_COMMANDS, ("compare", "trade.exports", "trade.imports")]


@pytest.fixture(scope="module")
def hostile_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture base with every label, name, title, publisher, note, description and text replaced."""
    text = FIXTURE.read_text(encoding="utf-8")
    fields = "label|note|name|title|publisher|description|text"
    replacement = toml_string(HOSTILE)
    text, count = re.subn(rf"^({fields}) = \".*\"$", lambda m: f"{m.group(1)} = {replacement}", text, flags=re.M)
    assert count == len(re.findall(rf"^({fields}) = ", FIXTURE.read_text(encoding="utf-8"), flags=re.M)) > 50
    path = tmp_path_factory.mktemp("hostile") / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    base = load_facts(path)
    assert base.city.name == HOSTILE and base.metrics[0].label == HOSTILE
    assert {m.label for m in base.metrics} | {s.title for s in base.sources} | {f.text for f in base.facts} == {HOSTILE}
    return path


@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("args", HOSTILE_COMMANDS, ids=" ".join)
def test_hostile_text_in_tables_is_literal_and_inert(
    hohhot: Runner, hostile_facts: Path, args: tuple[str, ...], fmt: str
) -> None:
    result = hohhot("--facts", str(hostile_facts), *args, "--format", fmt, env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result
    # Markdown escapes brackets so that a viewer shows them as text: compare what it shows.
    shown = re.sub(r"\\(.)", r"\1", result.stdout) if fmt == "markdown" else result.stdout
    assert MARKUP in shown, "rich markup and emoji codes print as they are"
    assert not raw_controls(result.stdout), sorted(raw_controls(result.stdout))
    assert "x1b[31mred" in shown, "the escape is shown, visibly"
    assert result.stderr == ""


@pytest.mark.parametrize("args", [("metrics",), ("industries", "dairy"), ("sources", "fg-mayor-2024")], ids=" ".join)
def test_hostile_text_in_a_coloured_table(hohhot: Runner, hostile_facts: Path, args: tuple[str, ...]) -> None:
    """With colour on, the only escape sequences are the table's own SGR colours and links (OSC 8)."""
    env = {"COLUMNS": "1000", "NO_COLOR": "", "FORCE_COLOR": "1"}
    result = hohhot("--facts", str(hostile_facts), *args, env=env, tty=True)
    assert result.exit_code == 0, result
    assert "\x1b[" in result.stdout, "colour is on"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    links = re.findall(r"\x1b\]8;[^\x1b]*\x1b\\", plain)
    assert all(re.fullmatch(r"\x1b\]8;(id=\d+)?;[!-~]*\x1b\\", link) and "\\" not in link[5:-2] for link in links), (
        links
    )
    plain = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", plain)
    assert not raw_controls(plain), sorted(raw_controls(plain))
    assert "\\x1b[31mred" in plain and MARKUP in plain


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("args", HOSTILE_JSON_COMMANDS, ids=" ".join)
def test_hostile_text_in_json_is_escaped_and_exact(
    hohhot: Runner, hostile_facts: Path, args: tuple[str, ...], fmt: str
) -> None:
    result = hohhot("--facts", str(hostile_facts), *args, "--format", fmt)
    assert result.exit_code == 0, result
    assert not raw_controls(result.stdout), sorted(raw_controls(result.stdout))
    documents = [json.loads(line) for line in result.stdout.splitlines()] if fmt == "jsonl" else [result.json()]
    found = [s for s in strings_in(documents) if "[bold red]" in s]
    assert found, "the hostile text is in the output"
    assert all(HOSTILE in s for s in found), "every copy comes back exactly"
    assert HOSTILE in found


def test_hostile_text_json_fields_are_the_originals(hohhot: Runner, hostile_facts: Path) -> None:
    records = hohhot("--facts", str(hostile_facts), "metrics", "--json").json()
    assert {r["label"] for r in records} == {HOSTILE}
    assert {s["title"] for r in records for o in r["observations"] for s in o["sources"]} == {HOSTILE}
    assert {r["name"] for r in hohhot("--facts", str(hostile_facts), "industries", "--json").json()} == {HOSTILE}
    assert hohhot("--facts", str(hostile_facts), "overview", "--json").json()["name"] == HOSTILE


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw"])
@pytest.mark.parametrize("how", ["format", "export"])
def test_csv_keeps_rows_whole_with_carriage_returns(
    hohhot: Runner, hostile_facts: Path, tmp_path: Path, how: str, raw: bool
) -> None:
    """Rows stay whole; the text is HOSTILE with its controls made visible, or exactly with HOHHOT_CSV_RAW."""
    from hohhot_cli.output.encode import neutralise

    env = {"HOHHOT_CSV_RAW": "1"} if raw else {}
    if how == "format":
        result = hohhot("--facts", str(hostile_facts), "metric", "gdp.total", "-f", "csv", env=env)
        assert result.exit_code == 0, result
        text = result.stdout
    else:
        output = tmp_path / "out.csv"
        assert hohhot("--facts", str(hostile_facts), "export", "-o", str(output), env=env).exit_code == 0
        with open(output, encoding="utf-8", newline="") as stream:
            text = stream.read()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows and all(len(row) == len(header) for row in rows)
    expected = HOSTILE if raw else neutralise(HOSTILE)
    assert all(row[header.index("label")] == expected for row in rows)
    assert raw or not raw_controls(text.replace("\r\n", "\n")), sorted(raw_controls(text))


def test_markdown_never_carries_live_html_or_links(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(
        tmp_path, ('label = "Regional GDP"', 'label = "<img src=x onerror=alert(1)> [click](javascript:alert(1))"')
    )
    out = hohhot("--facts", str(facts), "metric", "gdp.total", "-f", "markdown").stdout
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)>" in out
    assert not re.search(r"(?<!\\)\]\(", out), "no live link: every ] before ( is escaped"
    assert "\\[click\\](javascript:alert(1))" in out


# -- 7. periods, dates and ids: ASCII digits, matched whole --------------------------

NOT_ASCII_OR_TRAILING = ["٢٠٢٣", "２０２４-０５-２８", "2024\n", "2024-05\n", "2023-Q1\n", "2016/2020\n", "२०२३"]


@pytest.mark.parametrize("text", NOT_ASCII_OR_TRAILING)
def test_period_refuses_other_digits_and_a_trailing_newline(text: str) -> None:
    from hohhot_cli.model.periods import PeriodError, parse_date, parse_period

    with pytest.raises(PeriodError):
        parse_period(text)
    with pytest.raises(PeriodError):
        parse_date(text)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("period", "٢٠٢٣"),
        ("period", "2024\n"),
        ("source date", "２０２４-０５-２８"),
        ("metric id", "gdp.total\n"),
        ("source id", "cd-mayor-2024\n"),
        ("industry id", "dairy\n"),
    ],
)
def test_loader_refuses_other_digits_and_trailing_newlines(tmp_path: Path, where: str, value: str) -> None:
    from support.factfiles import minimal_base, write_facts

    from hohhot_cli.model.errors import FactFileError

    document = minimal_base()
    if where == "period":
        document["metrics"][0]["observations"][0]["period"] = value
    elif where == "source date":
        document["sources"][0]["date"] = value
    elif where == "metric id":
        document["metrics"][0]["id"] = value
    elif where == "source id":
        document["sources"][0]["id"] = value
    else:
        document["industries"][0]["id"] = value
    path = write_facts(tmp_path / "facts.toml", document)
    with pytest.raises(FactFileError) as raised:
        load_facts(path)
    expected = "is not a valid id" if where.endswith(" id") else "is not a"
    assert any(expected in problem.message for problem in raised.value.problems), raised.value.problems


# -- 10. undecodable bytes in a path -------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_undecodable_byte_of_a_path_shows_as_a_byte_escape(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    """A file name byte that is not UTF-8 (held as U+DCFF) is shown as \\xff, never as \\udcff."""
    path = f"{tmp_path}/\udcff\u4e2d.toml"
    result = hohhot("--facts", path, "metrics")
    assert result.exit_code == 1
    assert result.stderr == f"hohhot: error: {tmp_path}/\\xff\u4e2d.toml: no such file\n"
    report = hohhot("validate", path, "--format", fmt)
    assert "\\xff\u4e2d.toml" in report.stdout and "udcff" not in report.stdout, report


# -- 8. CSV formula injection ------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x.invalid\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\tx", "\rx"]


@pytest.fixture(scope="module")
def formula_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gdp.total with a formula for its label, description and notes, and a negative value."""
    from support.factfiles import edited_copy

    return edited_copy(
        tmp_path_factory.mktemp("formula"),
        ('label = "Regional GDP"', f"label = {toml_string(FORMULAS[0])}"),
        ('description = "Test data: a series with years', f"description = {toml_string(FORMULAS[2])}\n#"),
        ("value = 200_000_000_000\n", "value = -3.5\n"),
        ('note = "As first published."', f"note = {toml_string(FORMULAS[1])}"),
        ('aliases = ["regional gdp", "economy"]', f"aliases = [{toml_string(FORMULAS[3])}]"),
    )


def _csv_table(hohhot: Runner, facts: Path, tmp_path: Path, how: str, env: dict[str, str]) -> list[dict[str, str]]:
    if how == "command":
        result = hohhot("--facts", str(facts), "metric", "gdp.total", "-f", "csv", env=env)
        assert result.exit_code == 0, result
        text = result.stdout
    else:
        output = tmp_path / "out.csv"
        assert hohhot("--facts", str(facts), "export", "-o", str(output), env=env).exit_code == 0
        text = output.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("how", ["command", "export"])
def test_csv_neutralises_formulas_in_text_but_not_numbers(
    hohhot: Runner, formula_facts: Path, tmp_path: Path, how: str
) -> None:
    rows = _csv_table(hohhot, formula_facts, tmp_path, how, {})
    rows = [r for r in rows if r.get("metric", "gdp.total") == "gdp.total"]
    assert rows
    assert {r["label"] for r in rows} == {"'" + FORMULAS[0]}
    assert "'" + FORMULAS[1] in {r["note"] for r in rows}
    assert "-3.5" in {r["value"] for r in rows}, "a negative number stays a number"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value == "-3.5", value


@pytest.mark.parametrize("how", ["command", "export"])
def test_csv_raw_switch_writes_text_exactly(hohhot: Runner, formula_facts: Path, tmp_path: Path, how: str) -> None:
    rows = _csv_table(hohhot, formula_facts, tmp_path, how, {"HOHHOT_CSV_RAW": "1"})
    rows = [r for r in rows if r.get("metric", "gdp.total") == "gdp.total"]
    assert {r["label"] for r in rows} == {FORMULAS[0]}
    assert FORMULAS[1] in {r["note"] for r in rows}


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_writer_neutralises_each_formula_start(text: str) -> None:
    from hohhot_cli.output.encode import csv_text

    neutral = list(csv.reader(io.StringIO(csv_text(["a", "b"], [[text, -3.5]]), newline="")))
    # A tab or carriage return is escaped (\u0009), and the cell then starts with a backslash.
    safe = f"\\u{ord(text[0]):04x}{text[1:]}" if text[0] in "\t\r" else "'" + text
    assert neutral[1] == [safe, "-3.5"]
    raw = list(csv.reader(io.StringIO(csv_text(["a", "b"], [[text, -3.5]], raw=True), newline="")))
    assert raw[1] == [text, "-3.5"]


# -- 9. Markdown block syntax at the start of a line --------------------------------------

LINE_STARTS = [
    "# OWNED",
    "###### OWNED",
    "> quoted",
    "- item",
    "+ item",
    "* item",
    "1. item",
    "7) item",
    "```",
    "~~~",
    "===",
    "---",
    "    indented code",
    "| a | b |",
    "<div>",
]
BLOCKS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "code_block", "fence", "hr", "html_block"}


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """Block markup the text made: any but our own ### headings, tables and the one list of sources.

    The "Sources" list is ours: its bullet list (right after its heading) is allowed, once; what
    its items hold is checked like everything else (a nested list, a heading, a quote would show).
    """
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found = []
    sources_list = False
    for index, token in enumerate(tokens):
        after_sources_heading = index >= 3 and tokens[index - 2].content == "Sources"
        if token.type == "bullet_list_open" and token.level == 0 and after_sources_heading and not sources_list:
            sources_list = True
            continue
        if token.type in BLOCKS or (token.type == "heading_open" and token.tag != "h3"):
            found.append((token.type, token.tag))
    return found


@pytest.mark.parametrize("start", LINE_STARTS)
def test_markdown_escapes_block_syntax_at_line_start(hohhot: Runner, tmp_path: Path, start: str) -> None:
    """An author's name starts the citation line, an industry's name a heading: neither becomes markup."""
    facts = edited_copy(
        tmp_path,
        ('authors = ["Ann Example", "Bo Sample"]', f"authors = [{toml_string(start)}]"),
        ('name = "Dairy"', f"name = {toml_string(start + ' #')}"),
    )
    for args in (("sources", "fg-mayor-2024"), ("industries", "dairy")):
        result = hohhot("--facts", str(facts), *args, "--format", "markdown")
        assert result.exit_code == 0, result
        assert _blocks(result.stdout) == [], result.stdout
    citation = hohhot("--facts", str(facts), "sources", "fg-mayor-2024", "--format", "markdown").stdout
    from markdown_it import MarkdownIt

    shown = MarkdownIt("commonmark").enable("table").render(citation)
    assert "#" not in start or "# OWNED" in shown
