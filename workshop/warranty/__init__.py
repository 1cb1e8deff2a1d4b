"""Warranty: the engine that decides whether a repair is covered (三包, EU 24 months,
store warranty), the policies a service point offers, and the promise watch."""
