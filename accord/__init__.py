"""Accord: event-sourced ingestion and deduplication of news reports.

This package is the front door (CLI, exports) and holds what every layer shares: the errors.
"""
