"""Reports: read-only queries over the other domains, charts and CSV."""
