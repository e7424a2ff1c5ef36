"""tolint: a linter for timeout and keep-alive settings across infrastructure layers."""

__version__ = "0.1.0"
