"""``python -m hohhot_cli``."""

from hohhot_cli.cli import run

run()
