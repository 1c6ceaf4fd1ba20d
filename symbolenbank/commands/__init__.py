"""The subcommands of `symbolenbank`, by job; `symbolenbank.cli` puts them in one group."""
