"""Report text → facts with provenance. Pure code: values in, values out, no database."""
