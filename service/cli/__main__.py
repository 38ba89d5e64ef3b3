"""`python -m service.cli`: the `miarka` command."""

from service.cli import main

main()
