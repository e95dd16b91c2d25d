"""``python -m pricewise.cli``."""

from pricewise.cli import main

main()
