"""What every domain uses: money, locale, clock, signals, audit, idempotency, pagination."""
