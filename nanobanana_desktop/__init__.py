"""Nano Banana Desktop: a native client for the Nano Banana Pro image API."""

__version__ = "0.1.0"
