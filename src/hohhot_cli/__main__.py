"""``python -m hohhot_cli``."""

from hohhot_cli.main import run

run()
