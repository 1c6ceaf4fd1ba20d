"""The knowledge base shipped with the package (`symbolenbank.db`, made when building the wheel)."""
