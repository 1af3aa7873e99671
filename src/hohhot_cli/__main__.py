"""``python -m hohhot_cli``."""

from hohhot_cli.cli.main import run

run()
