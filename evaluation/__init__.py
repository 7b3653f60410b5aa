"""Measurement harness: labelled corpora, metrics, a text-only baseline and side-by-side reports.

Pure of database code: a system under test is plugged in as a ``run_system`` callable (see ``harness``).
"""
