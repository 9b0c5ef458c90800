"""``python -m godet``."""

from godet.cli import main

main(prog_name="godet")
