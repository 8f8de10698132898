"""``python -m connectors.cli`` runs the aidledger command."""

from connectors.cli import main

main()
