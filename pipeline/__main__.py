"""python -m pipeline: the spendlog command."""
from .cli import main

main()
