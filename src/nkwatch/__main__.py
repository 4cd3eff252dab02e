"""``python -m nkwatch`` runs the CLI."""

from nkwatch.cli import main

main()
