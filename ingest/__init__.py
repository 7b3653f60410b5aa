"""Sources → articles: read files (text, HTML, JSON, JSON Lines, RSS/Atom) into ``Article`` values.

Nothing here touches the database; ``jobs.pipeline`` appends what these readers return.
"""
