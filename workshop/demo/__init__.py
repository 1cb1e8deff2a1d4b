"""Demo data for a new counter (``flask seed-demo``): kept out of the production modules."""
