"""Symbolenbank knowledge-base toolchain: entry model, validation, build and CLI."""

__version__ = "0.1.0"

__all__ = ["__version__"]
