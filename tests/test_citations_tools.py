"""The citations as the tools people use read them: ``bibtex`` with ``plain.bst``, biber's check of
biblatex's data model, and pandoc's citeproc.

Each test runs on the whole bundled base, the fixture and sources with hostile text in every field.
A test whose tool is not on the machine is skipped and says which Debian package brings it:
``apt-get install --no-install-recommends texlive-binaries texlive-base biber pandoc``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import Runner
from support.citations import hostile_sources

from hohhot_cli.model.facts import FactBase, Source
from hohhot_cli.output.cite import CitationStyle, cite

pytestmark = pytest.mark.slow  # wheels, other programs or many generated bases: run by the full suite

PACKAGES = {"bibtex": "texlive-binaries", "kpsewhich": "texlive-binaries", "biber": "biber", "pandoc": "pandoc"}
IURC = "International Urban and Regional Cooperation (IURC), funded by the European Union"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install {PACKAGES[name]})")
    return path


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def _all_sources(bundled_base: FactBase, base: FactBase) -> list[Source]:
    return [*bundled_base.sources, *base.sources, *hostile_sources()]


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- bibtex and plain.bst ---------------------------------------------------------------


def _bbl(tmp_path: Path, sources: list[Source]) -> str:
    """The .bbl ``bibtex`` writes with ``plain.bst`` for every one of ``sources``; it must neither warn nor fail."""
    bibtex = _tool("bibtex")
    if not _run([_tool("kpsewhich"), "plain.bst"], tmp_path).stdout.strip():
        pytest.skip("plain.bst is not installed (Debian: apt-get install texlive-base)")
    (tmp_path / "refs.bib").write_text(cite(sources, CitationStyle.BIBTEX), encoding="utf-8")
    citations = "".join(f"\\citation{{{s.id}}}\n" for s in sources)
    (tmp_path / "doc.aux").write_text(f"\\relax\n{citations}\\bibstyle{{plain}}\n\\bibdata{{refs}}\n", encoding="utf-8")
    result = _run([bibtex, "doc"], tmp_path)
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0 and "Warning--" not in log and "error message" not in log, result.stdout + log
    return (tmp_path / "doc.bbl").read_text(encoding="utf-8")


def test_plain_bst_prints_the_publisher_and_no_source_kind(
    tmp_path: Path, bundled_base: FactBase, base: FactBase
) -> None:
    sources = _all_sources(bundled_base, base)
    bbl = _bbl(tmp_path, sources)
    items = {
        m.group(1): _flat(m.group(2)) for m in re.finditer(r"\\bibitem\{([^}]*)\}(.*?)(?=\\bibitem|\\end\{)", bbl, re.S)
    }
    assert set(items) == {s.id for s in sources}
    for source in bundled_base.sources:
        shown = items[source.id].replace("{", "").replace("}", "")
        assert _flat(source.publisher) in shown, (source.id, shown)
        assert (f"n.d., {source.date} or later" in shown) is source.undated, shown
    assert "Source kind" not in bbl and "China Daily" in items["cd-mayor-2024"]
    assert IURC in items["iurc-profile"].replace("{", "").replace("}", "")


# -- biber --------------------------------------------------------------------------------


def _biber_warnings(tmp_path: Path, bib: str) -> list[str]:
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    result = _run([_tool("biber"), "--tool", "--validate-datamodel", "--output-file=checked.bib", "refs.bib"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in (result.stdout + result.stderr).splitlines() if re.match(r"(WARN|ERROR) ", line)]


def test_biber_accepts_biblatex_without_a_warning(tmp_path: Path, bundled_base: FactBase, base: FactBase) -> None:
    sources = _all_sources(bundled_base, base)
    assert _biber_warnings(tmp_path, cite(sources, CitationStyle.BIBLATEX)) == []
    checked = (tmp_path / "checked.bib").read_text(encoding="utf-8")
    assert checked.count("@ONLINE{") + checked.count("@MISC{") == len(sources)


def test_biber_finds_what_was_wrong_with_misc_and_publisher(tmp_path: Path) -> None:
    """The check is not blind: the warning the old ``@misc`` with ``publisher`` drew is still drawn."""
    entry = "@misc{old, title = {T}, publisher = {China Daily}, year = {2024}}\n"
    assert any("Invalid field 'publisher' for entrytype 'misc'" in line for line in _biber_warnings(tmp_path, entry))


# -- pandoc ---------------------------------------------------------------------------------


def _pandoc_bibliography(tmp_path: Path, text: str, suffix: str) -> list[str]:
    """The reference list pandoc's citeproc prints for every entry of a bibliography, one entry a line."""
    (tmp_path / f"refs{suffix}").write_text(text, encoding="utf-8")
    document = '---\nnocite: "@*"\n---\n'
    args = [_tool("pandoc"), "--citeproc", f"--bibliography=refs{suffix}", "--wrap=none", "-t", "plain"]
    result = _run(args, tmp_path, document)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    return [line for line in result.stdout.splitlines() if line.strip()]


_QUOTES = str.maketrans(dict.fromkeys('‘’“”"', "'"))


def _entry_of(entries: list[str], title: str) -> str:
    """The one entry of a reference list that quotes ``title``, every kind of quote mark as ``'``."""
    quoted = re.compile("'" + re.escape(title.translate(_QUOTES)) + "[.,?!]?'", re.IGNORECASE)
    (entry,) = [e for e in entries if quoted.search(e.translate(_QUOTES))]
    return entry.translate(_QUOTES)


_PANDOC_STYLES = [("bibtex", ".bib"), ("biblatex", ".bib"), ("csl-json", ".json")]


@pytest.mark.parametrize(("style", "suffix"), _PANDOC_STYLES, ids=[s for s, _ in _PANDOC_STYLES])
def test_pandoc_shows_names_whole_each_address_once_and_no_year_when_undated(
    hohhot_bundled: Runner, bundled_base: FactBase, tmp_path: Path, style: str, suffix: str
) -> None:
    ids = [s.id for s in bundled_base.sources]
    result = hohhot_bundled("cite", *ids, "--style", style)
    assert result.exit_code == 0, result
    entries = _pandoc_bibliography(tmp_path, result.stdout, suffix)
    assert len(entries) == len(ids), entries
    for source in bundled_base.sources:
        entry = _entry_of(entries, source.title)
        # Chicago names a newspaper article without authors by its paper, title-cased; ——— for the same as above.
        assert source.publisher.translate(_QUOTES).casefold() in entry.casefold() or entry.startswith("———"), entry
        address = source.url or source.read_at
        if address:
            assert entry.count(address) == 1, (style, entry)
        if source.undated:
            assert "n.d." in entry and not re.search(rf"\b{source.date}\b(?! or later)", entry), (style, entry)
    assert IURC in "\n".join(entries) and "Urban; Regional" not in "\n".join(entries)


@pytest.mark.parametrize("style", ["bibtex", "biblatex", "csl-json"])
def test_pandoc_reads_hostile_fields(base: FactBase, tmp_path: Path, style: str) -> None:
    sources = [*base.sources, *hostile_sources()]
    entries = _pandoc_bibliography(
        tmp_path, cite(sources, CitationStyle(style)), ".json" if style == "csl-json" else ".bib"
    )
    assert len(entries) == len(sources)
    shown = "\n".join(entries)
    assert "\x1b" not in shown and "\u202e" not in shown and "<script>" in shown  # as text, in plain output


def test_pandoc_markdown_shows_hostile_text_as_text(base: FactBase, tmp_path: Path) -> None:
    """pandoc's Markdown (raw HTML, citations, super- and subscripts, maths) makes no markup of the fields."""
    markdown = cite([*base.sources, *hostile_sources()], CitationStyle.MARKDOWN)
    result = _run([_tool("pandoc"), "-f", "markdown", "-t", "html", "--wrap=none"], tmp_path, markdown)
    assert result.returncode == 0, result.stderr
    html = result.stdout
    tags = set(re.findall(r"<(\w+)", html))
    assert tags <= {"ul", "li", "a", "p"}, tags
    assert not re.search(r'href="(?!https?://)', html) and "javascript:alert(1)" in html
