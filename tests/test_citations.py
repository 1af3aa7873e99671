"""Citations (``cite``, ``--cite``) and opening any id (``show``).

The CSL-JSON schema in tests/data/csl-data.json is the Citation Style Language project's
(see tests/data/csl-data.LICENSE).
"""

from __future__ import annotations

import json

import bibtexparser
import jsonschema
import pytest
from support import REPO, Runner

from hohhot_cli.model.facts import FactBase

CSL_SCHEMA = json.loads((REPO / "tests" / "data" / "csl-data.json").read_text(encoding="utf-8"))
STYLES = ("text", "markdown", "bibtex", "csl-json", "ris")


def _bibtex_entries(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


@pytest.mark.parametrize("bundled", [False, True], ids=["fixture", "bundled"])
def test_csl_json_validates_and_bibtex_parses(hohhot: Runner, hohhot_bundled: Runner, bundled: bool) -> None:
    run = hohhot_bundled if bundled else hohhot
    csl = run("cite", "gdp.total", "--style", "csl-json")
    assert csl.exit_code == 0, csl
    items = json.loads(csl.stdout)
    jsonschema.validate(items, CSL_SCHEMA)
    bib = run("cite", "gdp.total", "--style", "bibtex")
    assert bib.exit_code == 0, bib
    entries = _bibtex_entries(bib.stdout)
    assert set(entries) == {item["id"] for item in items} and entries
    assert all("title" in e and "year" in e for e in entries.values())


def test_every_source_of_the_bundled_base_cites_in_every_style(hohhot_bundled: Runner, bundled_base: FactBase) -> None:
    ids = [s.id for s in bundled_base.sources]
    items = json.loads(hohhot_bundled("cite", *ids, "--style", "csl-json").stdout)
    jsonschema.validate(items, CSL_SCHEMA)
    assert [i["id"] for i in items] == ids
    assert set(_bibtex_entries(hohhot_bundled("cite", *ids, "--style", "bibtex").stdout)) == set(ids)
    ris = hohhot_bundled("cite", *ids, "--style", "ris").stdout
    assert ris.count("ER  - ") == len(ids) and ris.count("TY  - ") == len(ids)


def test_reprints_and_undated_sources_say_so(hohhot: Runner) -> None:
    text = hohhot("cite", "fg-census-2020", "fg-profile").stdout
    assert "read in a copy by Fixture Copies" in text
    assert "undated" in text
    items = {
        i["id"]: i for i in json.loads(hohhot("cite", "fg-census-2020", "fg-profile", "--style", "csl-json").stdout)
    }
    assert "Read in a copy by Fixture Copies at " in items["fg-census-2020"]["note"]
    assert items["fg-profile"]["issued"]["circa"] is True and "Undated" in items["fg-profile"]["note"]


@pytest.mark.parametrize("style", STYLES)
def test_cite_takes_any_id(hohhot: Runner, style: str) -> None:
    for item in ("gdp", "dairy", "fg-mayor-2024", "titles.dairy_capital", "steppe"):
        result = hohhot("cite", item, "--style", style)
        assert result.exit_code == 0, result
        assert result.stdout.strip(), item
    unknown = hohhot("cite", "nope", "--style", style)
    assert unknown.exit_code == 1 and unknown.stdout == ""


def test_cite_option_adds_the_sources(hohhot: Runner) -> None:
    for args in (("metric", "gdp.total"), ("industries", "dairy"), ("show", "steppe"), ("sources",)):
        plain = hohhot(*args).stdout
        cited = hohhot(*args, "--cite").stdout
        assert cited.startswith(plain.split("\nSources\n")[0]), args
        assert "\nSources\n" in cited
        assert "Fixture Gazette" in cited.split("\nSources\n")[-1], args
        markdown = hohhot(*args, "--cite", "--format", "markdown").stdout
        assert "### Sources" in markdown


def test_show_opens_the_fact_search_finds(hohhot_bundled: Runner) -> None:
    hits = hohhot_bundled("search", "乳都", "--json").json()
    assert hits[0]["id"] == "titles.dairy_capital" and hits[0]["kind"] == "fact"
    assert "乳都" in hits[0]["text"]
    shown = hohhot_bundled("show", "titles.dairy_capital")
    assert shown.exit_code == 0, shown
    assert shown.stdout.startswith("China's Dairy Capital\n")
    assert "中国乳都" in shown.stdout and "\nSources\ncd-milk-2023: " in shown.stdout


@pytest.mark.parametrize(
    ("item", "first_line"),
    [
        ("gdp.total", "gdp.total · Regional GDP 地区生产总值"),
        ("dairy", "Dairy 乳业"),
        ("fg-trade-2023", "fg-trade-2023"),
        ("titles.dairy_capital", "Dairy Capital"),
        ("steppe", "Steppe Dairy Group"),
    ],
)
def test_show_opens_every_kind_of_id(hohhot: Runner, item: str, first_line: str) -> None:
    result = hohhot("show", item)
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == first_line
    for fmt in ("json", "csv", "markdown"):
        assert hohhot("show", item, "--format", fmt).exit_code == 0


def test_show_an_unknown_id_suggests_ids_and_search(hohhot: Runner) -> None:
    result = hohhot("show", "titles.dairy_captal")
    assert result.exit_code == 1 and result.stdout == ""
    assert "did you mean titles.dairy_capital" in result.stderr
    assert "hohhot search titles.dairy_captal" in result.stderr


def test_search_table_says_what_matched_without_a_score(hohhot: Runner) -> None:
    result = hohhot("search", "乳都")
    header = result.stdout.splitlines()[1].split()
    assert header == ["Kind", "Id", "Match"]
    assert "\nfact  titles.dairy_capital  " in result.stdout
    coloured = hohhot("search", "乳都", env={"NO_COLOR": "", "FORCE_COLOR": "1"}, tty=True).stdout
    assert "\x1b[1;7m乳都" in coloured


def test_a_target_says_so_once(hohhot: Runner) -> None:
    lines = [line for line in hohhot("metric", "talent.graduates_staying").stdout.splitlines() if "target" in line]
    assert lines and all(line.count("target") == 1 for line in lines)


def test_fact_items_follow_a_sentence(base: FactBase) -> None:
    from hohhot_cli.output.sections import facts_section as _facts_section

    fact = base.fact_by_id["industry.cluster_names"]
    (row,) = _facts_section("Facts", (fact,)).rows
    assert row[3] == "Two invented cluster names. Named: Dairy capital cluster 乳都产业集群; Green power."


def test_urls_are_links_on_a_terminal_and_text_when_piped(hohhot: Runner) -> None:
    url = "https://fixture.invalid/mayor-2024"
    terminal = hohhot("sources", "fg-mayor-2024", env={"NO_COLOR": "", "FORCE_COLOR": "1"}, tty=True).stdout
    assert "\x1b]8;id=" in terminal and f";{url}\x1b\\{url}" in terminal
    piped = hohhot("sources", "fg-mayor-2024").stdout
    assert "\x1b" not in piped and f"Address: {url}\n" in piped


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "gdp.total"),
        ("compare", "trade.exports", "trade.imports"),
        ("overview",),
        ("sources", "fg-trade-2023"),
    ],
)
def test_markdown_lists_full_citations_under_the_tables(hohhot: Runner, args: tuple[str, ...]) -> None:
    text = hohhot(*args, "--format", "markdown").stdout
    tail = text.split("### Sources\n", 1)[1]
    assert "Fixture Gazette" in tail and "“" in tail
    assert text.index("### Sources") > text.rindex("|")
