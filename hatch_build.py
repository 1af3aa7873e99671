"""Build hook: validate the bundled fact base and put a snapshot of it in the wheel.

At run time the snapshot is read instead of the TOML whenever it was made from the very
bytes of the installed ``facts.toml`` (see ``hohhot_cli.load.loader``). An editable install
gets no snapshot: it parses the TOML of the checkout, so an edit is never ignored. A fact
base with a problem fails the build, with every problem listed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SnapshotBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Writes ``hohhot_cli/facts.snapshot.json`` into a wheel (not an editable one)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))  # the package being built, not an installed copy
        try:
            from hohhot_cli.load import snapshot
            from hohhot_cli.load.loader import parse_facts
            from hohhot_cli.model.errors import FactFileError
        finally:
            sys.path.pop(0)
        data = (root / "facts.toml").read_bytes()
        try:
            base = parse_facts(data, "facts.toml")
        except FactFileError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise SystemExit(f"facts.toml does not validate; no wheel built:\n{problems}") from None
        self._directory = tempfile.mkdtemp(prefix="hohhot-snapshot-")
        written = Path(self._directory) / snapshot.SNAPSHOT_NAME
        written.write_bytes(snapshot.dump(base, snapshot.content_digest(data)))
        build_data["force_include"][str(written)] = f"hohhot_cli/{snapshot.SNAPSHOT_NAME}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        directory = getattr(self, "_directory", None)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
