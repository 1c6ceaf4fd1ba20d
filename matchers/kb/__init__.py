"""The knowledge base shipped with the package (`symbolenbank.db`, written when the wheel is built)."""
