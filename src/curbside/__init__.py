"""curbside: an open clinical answer engine."""

__version__ = "0.1.0"
