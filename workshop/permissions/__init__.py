"""Who may do what: ``rules`` (the pure table and predicates) and ``web`` (the hook that
enforces the endpoint table on every request)."""
