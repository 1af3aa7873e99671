"""Shell manners: completion scripts and choices, ``-`` for standard input, root options on either side of
the command name, the colour conventions, TSV for shell loops, and one set of ``--fields`` names."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from support import FIXTURE, Runner, hohhot_executable, subprocess_env
from support.factfiles import edited_copy
from typer._completion_classes import BashComplete

from hohhot_cli.cli.app import app
from hohhot_cli.output.csv_view import EXPORT_COLUMNS


def _hohhot(*args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [hohhot_executable(), *args], input=stdin, capture_output=True, env=subprocess_env(**env), timeout=60
    )


# -- completion ---------------------------------------------------------------------------

SCRIPT_STARTS = {
    "bash": "_hohhot_completion() {\n",
    "zsh": "#compdef hohhot\n",
    "fish": "complete --command hohhot --no-files --arguments",
}
SCRIPT_MARKS = {
    "bash": "complete -o default -F _hohhot_completion hohhot",
    "zsh": "compdef _hohhot_completion hohhot",
    "fish": "complete --command hohhot",
}


@pytest.mark.parametrize("shell", list(SCRIPT_STARTS))
@pytest.mark.parametrize("running", ["/bin/bash", "/bin/zsh", "/usr/bin/fish"])
def test_completion_prints_the_script_of_the_shell_named(shell: str, running: str) -> None:
    """Whatever shell runs hohhot: ``completion zsh`` from bash is zsh's script."""
    result = _hohhot("completion", shell, SHELL=running)
    assert result.returncode == 0, result.stderr
    script = result.stdout.decode()
    assert script.startswith(SCRIPT_STARTS[shell]) and script.endswith("\n")
    assert "_HOHHOT_COMPLETE=complete_" + shell in script
    assert [name for name, mark in SCRIPT_MARKS.items() if mark in script] == [shell]


def test_show_completion_with_a_shell_named_prints_that_shells_script() -> None:
    from_bash = subprocess.run(
        ["bash", "-c", f"{hohhot_executable()} --show-completion zsh"], capture_output=True, env=subprocess_env()
    )
    assert from_bash.returncode == 0, from_bash.stderr
    assert from_bash.stdout == _hohhot("completion", "zsh").stdout


def test_show_completion_alone_still_detects_the_shell() -> None:
    result = subprocess.run(
        ["bash", "-c", f"{hohhot_executable()} --show-completion"], capture_output=True, env=subprocess_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("_hohhot_completion() {\n")


def test_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    result = _hohhot("completion", "tcsh")
    assert result.returncode == 2
    assert result.stderr == b"hohhot: usage: no completion for 'tcsh'; one of: bash, zsh, fish, powershell, pwsh\n"


def test_completion_install_writes_the_named_shells_file(tmp_path: Path) -> None:
    result = _hohhot("completion", "fish", "--install", HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    installed = tmp_path / ".config" / "fish" / "completions" / "hohhot.fish"
    assert result.stdout.decode() == f"fish completion installed in {installed}; it takes effect in a new shell\n"
    assert installed.read_bytes() == _hohhot("completion", "fish").stdout


def _completions(args: list[str], incomplete: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("HOHHOT_FACTS", str(FIXTURE))
    completer = BashComplete(typer.main.get_command(app), {}, "hohhot", "_HOHHOT_COMPLETE")
    return [c.value for c in completer.get_completions(args, incomplete)]


PERIOD_KINDS = ["year", "half", "quarter", "month", "year_to_date", "day", "span", "as_of"]
OUTPUT_FORMATS = ["table", "json", "jsonl", "csv", "tsv", "markdown"]


@pytest.mark.parametrize(
    ("args", "offered"),
    [
        (["export", "--kind"], PERIOD_KINDS),
        (["metric", "gdp", "--kind"], PERIOD_KINDS),
        (["compare", "--kind"], PERIOD_KINDS),
        (["export", "--format"], ["json", "jsonl", "csv", "tsv", "sqlite", "datapackage"]),
        (["export", "-f"], ["json", "jsonl", "csv", "tsv", "sqlite", "datapackage"]),
        (["metric", "gdp", "--format"], OUTPUT_FORMATS),
        (["--format"], OUTPUT_FORMATS),
        (["cite", "gdp", "--style"], ["text", "markdown", "bibtex", "biblatex", "csl-json", "ris"]),
        (["industries", "--kind"], ["pillar", "future"]),
        (["completion"], ["bash", "zsh", "fish", "powershell", "pwsh"]),
        (
            ["schema"],
            ["overview", "industries", "metric", "metrics", "compare", "search", "sources", "validate", "export",
             "show", "changes"],
        ),
    ],
)
def test_every_option_of_choices_completes(
    args: list[str], offered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _completions(args, "", monkeypatch) == offered


def test_choices_complete_from_what_was_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _completions(["export", "--kind"], "y", monkeypatch) == ["year", "year_to_date"]
    assert _completions(["export", "--format"], "js", monkeypatch) == ["json", "jsonl"]
    assert _completions(["metrics", "-f"], "t", monkeypatch) == ["table", "tsv"]


def test_fields_complete_from_what_the_command_would_show(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _completions(["metrics", "--fields"], "id,latest.conv", monkeypatch) == [
        "id,latest.converted.value", "id,latest.converted.unit", "id,latest.converted.note"
    ]
    assert _completions(["metric", "gdp.total", "--fields"], "source_u", monkeypatch) == [
        "source_urls", "source_undated"
    ]
    assert _completions(["validate", "--fields"], "", monkeypatch) == ["file", "line", "place", "message", "severity"]
    assert _completions(["compare", "--fields"], "", monkeypatch) == []  # nothing to compare yet: nothing to offer


def test_the_shell_gets_the_choices() -> None:
    result = _hohhot(_HOHHOT_COMPLETE="complete_bash", COMP_WORDS="hohhot export --kind ", COMP_CWORD="3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split() == PERIOD_KINDS


def test_completion_never_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _completions(["--facts", "-", "metric"], "gdp.t", monkeypatch) == []


# -- standard input -------------------------------------------------------------------------


def test_validate_dash_reads_standard_input() -> None:
    result = _hohhot("validate", "-", stdin=FIXTURE.read_bytes())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[:2] == ["<stdin>: valid", "9 sources, 4 industries, 32 metrics, 59 observations, 8 facts, 3 companies"]
    assert all(line.startswith("warning: <stdin>: ") for line in lines[4:])


def test_an_invalid_file_on_standard_input_is_named_stdin() -> None:
    result = _hohhot("validate", "-", stdin=b"x = [\n")
    assert result.returncode == 1
    assert re.fullmatch(rb"<stdin>: 1 problem\n<stdin>:\d: TOML syntax error: .+\n", result.stdout), result.stdout
    result = _hohhot("--facts", "-", "metrics", stdin=b"x = [\n")
    assert (result.returncode, result.stdout) == (1, b"")
    assert re.fullmatch(rb"hohhot: error: <stdin>:\d: TOML syntax error: .+\n", result.stderr), result.stderr


def test_facts_dash_answers_from_standard_input() -> None:
    expected = _hohhot("metric", "gdp.total", "--latest", "--json").stdout
    for args in (("--facts", "-", "metric", "gdp.total", "--latest", "--json"),
                 ("metric", "gdp.total", "--latest", "--json", "--facts", "-")):
        result = _hohhot(*args, stdin=FIXTURE.read_bytes(), facts=None)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected
        assert json.loads(result.stdout)[0]["observations"][0]["ref"] == "gdp.total@2024#1"


def test_standard_input_is_read_once_for_facts_and_validate() -> None:
    result = _hohhot("--facts", "-", "validate", "-", "--json", stdin=FIXTURE.read_bytes(), facts=None)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["file"], report["valid"], report["counts"]["metric_count"]) == ("<stdin>", True, 32)


def test_standard_input_closed_or_empty() -> None:
    closed = subprocess.run(
        ["bash", "-c", f"{hohhot_executable()} validate - <&-"], capture_output=True, env=subprocess_env()
    )
    assert closed.returncode == 1 and b"<stdin>" in closed.stdout + closed.stderr
    assert b"Traceback" not in closed.stderr
    empty = _hohhot("validate", "-", stdin=b"")
    assert empty.returncode == 1 and empty.stdout.startswith(b"<stdin>: ")


def test_standard_input_over_the_size_limit_is_refused(hohhot: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    from hohhot_cli.cli.environment import Environment
    from hohhot_cli.cli.main import main
    from hohhot_cli.load import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, environ={"COLUMNS": "80"}, stdin=io.BytesIO(b"# " + b"x" * 20))
    assert main(["validate", "-"], env) == 1
    assert out.getvalue() == "<stdin>: 1 problem\n<stdin>: larger than the 9.53674e-06 MiB limit for fact files\n"


# -- root options before or after the command name --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "cite", "gdp.total"],
        ["--format", "json", "cite", "gdp.total"],
        ["-f", "csv", "schema"],
        ["--format", "markdown", "schema", "metric"],
        ["--json", "completion", "bash"],
    ],
)
def test_a_root_format_a_command_does_not_take_is_refused(hohhot: Runner, args: list[str]) -> None:
    result = hohhot(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("hohhot: usage: ") and " does not go with " in result.stderr


def test_json_before_cite_says_what_to_use(hohhot: Runner) -> None:
    result = hohhot("--json", "cite", "gdp.total")
    assert result.stderr == (
        "hohhot: usage: --json does not go with cite: "
        "it prints citations in the form --style names (JSON: --style csl-json)\n"
    )


def test_json_before_schema_is_what_schema_prints(hohhot: Runner) -> None:
    assert hohhot("--json", "schema", "metric").json() == hohhot("schema", "metric").json()
    assert hohhot("--format", "json", "schema", "metric").exit_code == 0


def test_json_after_cite_is_refused_loudly(hohhot: Runner) -> None:
    result = hohhot("cite", "gdp.total", "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "No such option: --json" in result.stderr


FAKE_PAGER = "import sys; sys.stdin.read(); open(sys.argv[1], 'w').write('paged')"


@pytest.mark.parametrize(
    "args",
    [["--no-pager", "metrics"], ["metrics", "--no-pager"], ["--no-pager", "metrics", "--no-pager"]],
    ids=["before", "after", "both"],
)
def test_no_pager_before_or_after_the_command(hohhot: Runner, tmp_path: Path, args: list[str]) -> None:
    marker = tmp_path / "paged"
    pager = f"{sys.executable} -c \"{FAKE_PAGER}\" {marker}"
    paged = hohhot("metrics", env={"PAGER": pager, "LINES": "10"}, tty=True)
    assert paged.stdout == "" and marker.read_text() == "paged"
    marker.unlink()
    for direct in (True, False):
        result = hohhot(*args, env={"PAGER": pager, "LINES": "10"}, tty=True, direct=direct)
        assert result.stdout.startswith("Metrics (32)\n") and not marker.exists()


@pytest.mark.parametrize(
    "args",
    [["--no-color", "industries"], ["industries", "--no-color"], ["--no-color", "export", "-f", "csv"],
     ["schema", "metric", "--no-color"], ["export", "-f", "csv", "--no-pager"]],
)
def test_no_color_before_or_after_the_command(hohhot: Runner, args: list[str]) -> None:
    result = hohhot(*args, env={"NO_COLOR": "", "FORCE_COLOR": "1"}, tty=True)
    assert result.exit_code == 0, result
    assert "\x1b" not in result.stdout


# -- colour -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "tty", "coloured"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ({"CLICOLOR_FORCE": "1"}, False, True),
        ({"CLICOLOR_FORCE": "0"}, False, False),
        ({"CLICOLOR_FORCE": ""}, False, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "3"}, False, True),
        ({"CLICOLOR": "0"}, True, False),
        ({"CLICOLOR": "1"}, True, True),
        ({"CLICOLOR": "1"}, False, False),
        ({"CLICOLOR": "0", "CLICOLOR_FORCE": "1"}, True, True),
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_follows_the_conventions(hohhot: Runner, env: dict[str, str], tty: bool, coloured: bool) -> None:
    environ = {"NO_COLOR": "", "TERM": "xterm", **env}
    result = hohhot("industries", env=environ, tty=tty)
    assert result.exit_code == 0
    assert ("\x1b[" in result.stdout) is coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == hohhot("industries").stdout


# -- TSV --------------------------------------------------------------------------------------------


def test_tsv_is_one_line_a_row_with_lf(hohhot: Runner) -> None:
    wanted = "id,latest.period,latest.value,latest.source_ids"
    result = hohhot("metrics", "--topic", "trade", "-f", "tsv", "--fields", wanted)
    assert result.stdout == (
        "id\tlatest.period\tlatest.value\tlatest.source_ids\n"
        "trade.total\t2023\t20000000000\tfg-trade-2023\n"
        "trade.exports\t2023\t12000000000\tfg-trade-2023\n"
        "trade.imports\t2023\t8000000000\tfg-trade-2023\n"
        "trade.total_usd\t2023\t2800000000\tfg-trade-2023\n"
        "trade.partner_countries\t2023\t120\tfg-trade-2023\n"
        "trade.rising_years\t2023\t5\tfg-trade-2023\n"
    )
    assert hohhot("industries", "-f", "tsv", "--no-header", "--fields", "id,company_ids").stdout == (
        "dairy\tsteppe | qingcheng\nnew-energy\t\nartificial-intelligence\tcloudcalc\nsemiconductors\t\n"
    )


def test_tabs_newlines_and_backslashes_in_cells_are_escaped(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(tmp_path, ('note = "As first published."', 'note = "As\\tfirst\\npublished \\\\ here.\\r"'))
    result = hohhot("metric", "gdp.total", "-f", "tsv", "--fields", "ref,note", "--facts", str(facts))
    lines = result.stdout.split("\n")
    assert lines[1] == "gdp.total@2017\tAs\\tfirst\\npublished \\\\ here.\\r"
    assert result.stdout.count("\n") == 1 + 12 and "\r" not in result.stdout


def test_tsv_cells_that_start_like_formulas_are_neutralised_unless_raw(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(tmp_path, ('note = "As first published."', 'note = "=1+1"'))
    args = ("metric", "gdp.total", "-f", "tsv", "--no-header", "--fields", "note,value", "--facts", str(facts))
    assert hohhot(*args).stdout.splitlines()[0] == "'=1+1\t200000000000"
    assert hohhot(*args, env={"HOHHOT_CSV_RAW": "1"}).stdout.splitlines()[0] == "=1+1\t200000000000"


QUERY_LINES = [
    ["overview"],
    ["industries"],
    ["industries", "dairy"],
    ["metric", "gdp"],
    ["metrics"],
    ["compare", "gdp.total"],
    ["compare", "trade.exports", "trade.imports"],
    ["compare", "--industries"],
    ["search", "dairy"],
    ["sources"],
    ["sources", "fg-mayor-2024"],
    ["validate"],
    ["show", "steppe"],
    ["show", "titles.dairy_capital"],
    ["show", "gdp.total", "--cite"],
]


@pytest.mark.parametrize("args", QUERY_LINES, ids=" ".join)
def test_every_query_command_writes_tsv_with_the_rows_of_its_csv(hohhot: Runner, args: list[str]) -> None:
    tsv = hohhot(*args, "-f", "tsv")
    assert tsv.exit_code == 0, tsv
    rows = list(csv.reader(io.StringIO(hohhot(*args, "-f", "csv").stdout, newline="")))
    lines = tsv.stdout.split("\n")
    assert lines.pop() == ""
    assert [line.split("\t") for line in lines] == [
        [cell.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") for cell in row]
        for row in rows
    ]


def test_export_writes_tsv_to_stdout_and_to_a_file(hohhot: Runner, tmp_path: Path) -> None:
    text = hohhot("export", "-f", "tsv").stdout
    assert text.split("\n", 1)[0].split("\t") == list(EXPORT_COLUMNS)
    assert text.count("\n") == 1 + 59 and "\r" not in text
    assert hohhot("export", "-o", "-", "-f", "tsv").stdout == text
    assert hohhot("--format", "tsv", "export").stdout == text
    target = tmp_path / "hohhot.tsv"
    result = hohhot("export", "-o", str(target))
    assert result.stderr == f"hohhot: wrote 59 observations to {target} (tsv)\n"
    assert target.read_text(encoding="utf-8") == text


def test_a_shell_loop_reads_tsv_as_it_is() -> None:
    loop = (
        f"{hohhot_executable()} metrics --topic trade -f tsv --no-header --fields id,latest.value "
        "| while IFS=$'\\t' read -r id value; do echo \"$id=$value\"; done"
    )
    result = subprocess.run(["bash", "-o", "pipefail", "-c", loop], capture_output=True, env=subprocess_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[:3] == [
        "trade.total=20000000000", "trade.exports=12000000000", "trade.imports=8000000000"
    ]


# -- --fields -----------------------------------------------------------------------------------------

METRIC_INDEX_FIELDS = [
    "id", "label", "label_zh", "topic", "unit", "measure", "among", "aims_at", "moved_from", "moved.old", "moved.new",
    "industry", "description", "aliases", "tags", "observation_count",
    "latest.value", "latest.period", "latest.period_start", "latest.period_end", "latest.period_kind",
    "latest.as_of", "latest.exactness", "latest.status", "latest.status_basis", "latest.note", "latest.converted.value",
    "latest.converted.unit", "latest.converted.note", "latest.source_ids", "latest.ref", "latest.supersedes",
    "latest.superseded_by", "latest.conflicts_with", "latest.added",
]


def test_fields_alone_or_help_lists_the_fields(hohhot: Runner) -> None:
    for spelling in (["--fields"], ["--fields", "help"], ["--fields=help"], ["--fields", "--json"]):
        result = hohhot("metrics", *spelling)
        assert (result.exit_code, result.stderr) == (0, ""), result
        assert result.stdout.splitlines() == METRIC_INDEX_FIELDS
    assert hohhot("metric", "gdp.total", "--fields").stdout.splitlines() == list(EXPORT_COLUMNS)
    assert hohhot("validate", "--fields").stdout == "file\nline\nplace\nmessage\nseverity\n"
    assert hohhot("show", "steppe", "--fields", direct=False).stdout.splitlines() == [
        "id", "name", "name_zh", "industry", "description", "source_ids"
    ]


def test_fields_after_a_double_dash_are_words(hohhot: Runner) -> None:
    result = hohhot("search", "--json", "--", "--fields")
    assert result.exit_code == 0 and result.json() == []


@pytest.mark.parametrize("args", QUERY_LINES, ids=" ".join)
def test_one_set_of_field_names_in_every_machine_format(hohhot: Runner, args: list[str]) -> None:
    """The names --fields lists are the CSV and TSV header, and the keys of every JSON and JSONL object."""
    names = hohhot(*args, "--fields", "help").stdout.splitlines()
    assert names and len(names) == len(set(names))
    wanted = ",".join(names)
    header = next(csv.reader(io.StringIO(hohhot(*args, "-f", "csv").stdout, newline="")))
    assert header == names
    assert hohhot(*args, "-f", "tsv").stdout.split("\n", 1)[0].split("\t") == names
    data = hohhot(*args, "--json", "--fields", wanted).json()
    objects = data if isinstance(data, list) else [data]
    assert all(list(o) == names for o in objects)
    lines = hohhot(*args, "-f", "jsonl", "--fields", wanted).stdout.splitlines()
    assert [json.loads(line) for line in lines] == objects
    rows = list(csv.reader(io.StringIO(hohhot(*args, "-f", "csv", "--fields", wanted).stdout, newline="")))
    assert rows[0] == names and len(rows) - 1 == len(objects)


def test_fields_select_the_same_values_in_every_format(hohhot: Runner) -> None:
    wanted = "ref,value,status,source_ids"
    data = hohhot("metric", "gdp.total", "--json", "--fields", wanted).json()
    assert data[0] == {"ref": "gdp.total@2017", "value": 200000000000, "status": "first_published",
                       "source_ids": ["fg-profile"]}
    rows = list(csv.DictReader(io.StringIO(hohhot("metric", "gdp.total", "-f", "csv", "--fields", wanted).stdout)))
    expected = [(d["ref"], d["value"], d["status"]) for d in data]
    assert [(r["ref"], int(r["value"]), r["status"]) for r in rows] == expected


def test_dotted_fields_are_paths_into_the_json_records(hohhot: Runner) -> None:
    records = {r["id"]: r for r in hohhot("metrics", "--json").json()}
    picked = hohhot("metrics", "--json", "--fields", "id,latest.value,latest.converted.unit,latest.source_ids").json()
    for row in picked:
        latest = records[row["id"]]["latest"]
        assert row["latest.value"] == (latest and latest["value"])
        assert row["latest.converted.unit"] == (latest and latest["converted"] and latest["converted"]["unit"])
        assert row["latest.source_ids"] == (latest and [s["id"] for s in latest["sources"]])
    assert hohhot("overview", "--json", "--fields", "name,gdp.value").json() == {"name": "Hohhot",
                                                                                "gdp.value": 240000000000}
    for cited in ([], ["--cite"]):  # a view of one record is one object, with its citations or without
        assert hohhot("show", "steppe", *cited, "--json", "--fields", "id,name_zh").json() == {
            "id": "steppe", "name_zh": "草原乳业"
        }


def test_an_unknown_field_is_refused_in_every_format(hohhot: Runner) -> None:
    for fmt in ("json", "jsonl", "csv", "tsv"):
        result = hohhot("metrics", "-f", fmt, "--fields", "id,latest_value")
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.startswith("hohhot: usage: unknown field 'latest_value' for --fields; valid fields: id,")
