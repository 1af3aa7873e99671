"""Citations (``cite``, ``--cite``) and opening any id (``show``).

The CSL-JSON schema in tests/data/csl-data.json is the Citation Style Language project's
(see tests/data/csl-data.LICENSE). Each style is read back by a real parser (bibtexparser,
rispy, the CSL schema, markdown-it: support.citations); tests/test_citations_tools.py runs
bibtex, biber and pandoc on them, tests/test_citations_properties.py hostile text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Runner
from support.citations import bibtex_entries, csl_items, live_html, markdown_html, rendered_text, ris_records
from support.factfiles import edited_copy, toml_string

from hohhot_cli.load.addresses import address_problem
from hohhot_cli.model.facts import FactBase, Source, SourceKind
from hohhot_cli.output.cite import CitationStyle, cite, title_language

STYLES = tuple(style.value for style in CitationStyle)
FIXTURE_SOURCES = ("fg-mayor-2024", "fg-profile", "fg-census-2020", "fg-steppe-2021")
"""Authors and an address; undated, no address; a reprint read in a copy; a company's, no address."""
MAYOR_URL = "https://fixture.invalid/mayor-2024"
COPY_URL = "https://copies.fixture.invalid/census-2020"


def _cite(run: Runner, style: str, *ids: str) -> str:
    result = run("cite", *ids, "--style", style)
    assert result.exit_code == 0, result
    return result.stdout


@pytest.mark.parametrize("bundled", [False, True], ids=["fixture", "bundled"])
def test_csl_json_validates_and_bibtex_parses(hohhot: Runner, hohhot_bundled: Runner, bundled: bool) -> None:
    run = hohhot_bundled if bundled else hohhot
    items = csl_items(_cite(run, "csl-json", "gdp.total"))
    for style in ("bibtex", "biblatex"):
        entries = bibtex_entries(_cite(run, style, "gdp.total"))
        assert set(entries) == {item["id"] for item in items} and entries
        assert all("title" in e and ("year" in e or "date" in e or "n.d." in e["note"]) for e in entries.values())


def test_every_source_of_the_bundled_base_cites_in_every_style(hohhot_bundled: Runner, bundled_base: FactBase) -> None:
    ids = [s.id for s in bundled_base.sources]
    items = csl_items(_cite(hohhot_bundled, "csl-json", *ids))
    assert [i["id"] for i in items] == ids
    for style in ("bibtex", "biblatex"):
        assert list(bibtex_entries(_cite(hohhot_bundled, style, *ids))) == ids
    assert [r["id"] for r in ris_records(_cite(hohhot_bundled, "ris", *ids))] == ids
    assert live_html(markdown_html(_cite(hohhot_bundled, "markdown", *ids))) == []


def test_reprints_and_undated_sources_say_so(hohhot: Runner) -> None:
    text = _cite(hohhot, "text", "fg-census-2020", "fg-profile")
    assert "read in a copy by Fixture Copies" in text
    assert "undated, 2021 or later" in text
    items = {i["id"]: i for i in csl_items(_cite(hohhot, "csl-json", "fg-census-2020", "fg-profile"))}
    assert items["fg-census-2020"]["note"] == "Read in a copy by Fixture Copies; the address is the copy's."
    assert items["fg-census-2020"]["URL"] == COPY_URL
    assert items["fg-profile"]["issued"] == {"literal": "n.d. [2021 or later]"} and "note" not in items["fg-profile"]


def _url_fields(fields: dict[str, object], url: str) -> list[str]:
    return [name for name, value in fields.items() if isinstance(value, str) and url in value]


def test_bibtex_is_classic_bibtex(hohhot: Runner) -> None:
    """plain.bst prints howpublished, not publisher; one url field; no date made up; the kind out of the note."""
    entries = bibtex_entries(_cite(hohhot, "bibtex", *FIXTURE_SOURCES))
    assert {e["type"] for e in entries.values()} == {"misc"}
    mayor, profile, census = entries["fg-mayor-2024"], entries["fg-profile"], entries["fg-census-2020"]
    assert mayor["author"] == ["Ann Example", "Bo Sample"]
    assert mayor["title"] == "Invented interview with a mayor"
    assert mayor["howpublished"] == "Fixture Gazette" and mayor["key"] == "Fixture Gazette"
    assert (mayor["year"], mayor["month"], mayor["url"], mayor["urldate"]) == ("2024", "may", MAYOR_URL, "2024-12-01")
    assert _url_fields(mayor, MAYOR_URL) == ["url"]
    assert mayor["keywords"] == "national media" and "note" not in mayor
    assert not {"year", "month", "date", "url"} & set(profile)
    assert profile["note"] == "n.d., 2021 or later." and profile["howpublished"] == "Fixture Gazette"
    assert census["author"] == ["Census Desk"] and census["url"] == COPY_URL
    assert _url_fields(census, COPY_URL) == ["url"]
    assert census["note"] == "Read in a copy by Fixture Copies; the address is the copy's."
    assert not any("publisher" in e or "Source kind" in e.get("note", "") for e in entries.values())


def test_bibtex_and_biblatex_keep_corporate_names_whole(hohhot_bundled: Runner) -> None:
    name = "International Urban and Regional Cooperation (IURC), funded by the European Union"
    assert f"howpublished = {{{{{name}}}}}" in _cite(hohhot_bundled, "bibtex", "iurc-profile")
    assert f"organization = {{{{{name}}}}}" in _cite(hohhot_bundled, "biblatex", "iurc-profile")
    assert "author = {{Yuan Hui} and {Zou Shuo}}" in _cite(hohhot_bundled, "biblatex", "cd-mayor-2024")


def test_biblatex_has_online_entries_with_dates_and_languages(hohhot: Runner, hohhot_bundled: Runner) -> None:
    entries = bibtex_entries(_cite(hohhot, "biblatex", *FIXTURE_SOURCES))
    mayor, profile, census, steppe = (entries[i] for i in FIXTURE_SOURCES)
    assert (mayor["type"], mayor["organization"], mayor["date"]) == ("online", "Fixture Gazette", "2024-05-28")
    assert (mayor["url"], mayor["urldate"]) == (MAYOR_URL, "2024-12-01")
    assert mayor["title"] == "Invented interview with a mayor"
    assert _url_fields(mayor, MAYOR_URL) == ["url"] and "langid" not in mayor
    # No address: @online requires one. Undated: the open range "2021 or later", never a year.
    assert (profile["type"], profile["date"], profile["note"]) == ("misc", "2021/..", "n.d., 2021 or later.")
    assert (census["type"], census["url"], census["date"]) == ("online", COPY_URL, "2021-05")
    assert steppe["type"] == "misc" and steppe["keywords"] == "company"
    chinese = bibtex_entries(_cite(hohhot_bundled, "biblatex", "gmw-xinhua-2024", "cd-mayor-2024"))
    assert chinese["gmw-xinhua-2024"]["langid"] == "chinese" and "langid" not in chinese["cd-mayor-2024"]


def test_title_language() -> None:
    assert title_language("敕勒川上竞风流 看呼和浩特如何快速奔跑") == ("chinese", "zh")
    assert title_language('"六大产业集群"擘画现代产业新版图') == ("chinese", "zh")
    assert title_language("Hohhot (呼和浩特): a city profile") is None
    assert title_language("ホフホトの乳業") == ("japanese", "ja")
    assert title_language("후허하오터") == ("korean", "ko")


def test_ris_reads_back(hohhot: Runner, hohhot_bundled: Runner) -> None:
    records = {r["id"]: r for r in ris_records(_cite(hohhot, "ris", *FIXTURE_SOURCES))}
    mayor, profile, census = records["fg-mayor-2024"], records["fg-profile"], records["fg-census-2020"]
    assert (mayor["type_of_reference"], mayor["title"], mayor["publisher"]) == (
        "NEWS",
        "Invented interview with a mayor",
        "Fixture Gazette",
    )
    assert mayor["secondary_title"] == "Fixture Gazette" and mayor["authors"] == ["Ann Example", "Bo Sample"]
    assert (mayor["year"], mayor["date"], mayor["urls"], mayor["access_date"]) == (
        "2024",
        "2024/05/28/",
        [MAYOR_URL],
        "2024/12/01/",
    )
    assert "year" not in profile and "date" not in profile and profile["notes"] == ["n.d., 2021 or later."]
    assert profile["publisher"] == "Fixture Gazette" and profile["keywords"] == ["international"]
    assert census["urls"] == [COPY_URL] and census["date"] == "2021/05//"
    assert records.keys() == set(FIXTURE_SOURCES)
    chinese = ris_records(_cite(hohhot_bundled, "ris", "gmw-xinhua-2024"))[0]
    assert chinese["language"] == "zh"


def test_csl_json_reads_back(hohhot: Runner) -> None:
    items = {i["id"]: i for i in csl_items(_cite(hohhot, "csl-json", *FIXTURE_SOURCES))}
    mayor, profile = items["fg-mayor-2024"], items["fg-profile"]
    assert (mayor["publisher"], mayor["URL"]) == ("Fixture Gazette", MAYOR_URL)
    assert mayor["title"] == "Invented interview with a mayor"
    assert mayor["issued"] == {"date-parts": [[2024, 5, 28]]} and mayor["accessed"] == {"date-parts": [[2024, 12, 1]]}
    assert mayor["author"] == [{"literal": "Ann Example"}, {"literal": "Bo Sample"}]
    assert profile["issued"] == {"literal": "n.d. [2021 or later]"} and "URL" not in profile
    assert profile["publisher"] == "Fixture Gazette"


HOSTILE = "A \x1b[31m\u009b2J\u202e <b>bold</b> &amp; [link](javascript:alert(1)) { } \\ % # $ _ ~ ^\nnext line"
"""ESC, C1 CSI, a bidi override, HTML, a character reference, link syntax, braces, a backslash, TeX
specials and a line break."""


@pytest.fixture
def hostile_facts(tmp_path: Path) -> Path:
    return edited_copy(tmp_path, ('title = "Invented interview with a mayor"', f"title = {toml_string(HOSTILE)}"))


def test_text_and_markdown_neutralise_a_hostile_title(hohhot: Runner, hostile_facts: Path) -> None:
    run = lambda *args: hohhot("--facts", str(hostile_facts), *args)  # noqa: E731
    text = _cite(run, "text", "fg-mayor-2024")
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text), text
    assert "\\x1b[31m\\x9b2J\\u202e <b>bold</b>" in text and "next line" in text and text.count("\n") == 1
    markdown = _cite(run, "markdown", "fg-mayor-2024")
    rendered = markdown_html(markdown)
    assert live_html(rendered) == [] and rendered.count("<a ") == 1 and f'<a href="{MAYOR_URL}">' in rendered
    shown = rendered_text(rendered)
    assert "<b>bold</b> &amp; [link](javascript:alert(1)) { } \\ % # $ _ ~ ^ next line" in shown, shown


@pytest.mark.parametrize("style", ["bibtex", "biblatex", "ris", "csl-json"])
def test_machine_styles_keep_a_hostile_title_in_its_field(hohhot: Runner, hostile_facts: Path, style: str) -> None:
    output = _cite(lambda *a: hohhot("--facts", str(hostile_facts), *a), style, "fg-mayor-2024", "fg-profile")
    expected = "A \\x1b[31m\\x9b2J\\u202e <b>bold</b> &amp; [link](javascript:alert(1)) { } \\ % # $ _ ~ ^ next line"
    if style in ("bibtex", "biblatex"):
        entries = bibtex_entries(output)
        assert entries["fg-mayor-2024"]["title"] == expected and entries["fg-mayor-2024"]["url"] == MAYOR_URL
    elif style == "ris":
        records = ris_records(output)
        assert [r["id"] for r in records] == ["fg-mayor-2024", "fg-profile"] and records[0]["title"] == expected
    else:
        assert csl_items(output)[0]["title"] == expected


def test_an_address_that_is_no_web_link_is_never_a_link() -> None:
    source = Source(
        id="s", publisher="P", title="T", date="2024", url="javascript:alert(1)//}{\n", kind=SourceKind.SECONDARY
    )
    rendered = markdown_html(cite([source], CitationStyle.MARKDOWN))
    assert live_html(rendered) == [] and "javascript:alert(1)//%7D%7B%0A" in rendered_text(rendered)
    assert bibtex_entries(cite([source], CitationStyle.BIBTEX))["s"]["url"] == "javascript:alert(1)//%7D%7B%0A"
    assert ris_records(cite([source], CitationStyle.RIS))[0]["urls"] == ["javascript:alert(1)//%7D%7B%0A"]


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("javascript:alert(1)", "an http or https URL"),
        ("ftp://fixture.invalid/x", "an http or https URL"),
        ("https://", "an http or https URL"),
        ("fixture.invalid/x", "an http or https URL"),
        ("https://fixture.invalid/a b", "U+0020 at character 26"),
        ("https://fixture.invalid/a}", "'}' at character 26"),
        ("https://fixture.invalid/\\u001b]8;;x", "U+001B"),
        ("https://fixture.invalid/\\u0085", "U+0085"),
        ("https://fixture.invalid/\\u202e", "U+202E"),
    ],
)
@pytest.mark.parametrize("key", ["url", "read_at"])
def test_validate_refuses_addresses_that_are_no_web_links(
    hohhot: Runner, tmp_path: Path, address: str, problem: str, key: str
) -> None:
    old = {"url": f'url = "{MAYOR_URL}"', "read_at": f'read_at = "{COPY_URL}"'}[key]
    facts = edited_copy(tmp_path, (old, f'{key} = "{address}"'))
    result = hohhot("validate", str(facts))
    assert result.exit_code == 1, result
    place = {"url": "sources[0] (fg-mayor-2024).url", "read_at": "sources[5] (fg-census-2020).read_at"}[key]
    assert f"{place}: an address must" in result.stdout + result.stderr and problem in result.stdout + result.stderr


def test_addresses_of_the_fixture_and_the_bundled_base_are_web_links(base: FactBase, bundled_base: FactBase) -> None:
    addresses = [a for b in (base, bundled_base) for s in b.sources for a in (s.url, s.read_at) if a]
    assert len(addresses) > 40 and [a for a in addresses if address_problem(a)] == []
    assert address_problem("HTTPS://user@fixture.invalid:8080/a?b=1#c") is None
    assert address_problem("https://例子.测试/路径") is None  # an IRI: people write Chinese addresses


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
