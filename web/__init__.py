"""The web review page: a thin shell over ``store.queries`` (reads) and ``jobs.review`` (decisions)."""
