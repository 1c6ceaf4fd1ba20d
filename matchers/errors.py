"""Exceptions raised by the matching library."""


class MatcherError(Exception):
    """Base class for every error the matching library raises."""


class DatabaseError(MatcherError):
    """The knowledge-base database is missing, unreadable or of an unknown layout."""


class ImageError(MatcherError):
    """An image could not be decoded safely; the message names the file and the reason."""
