"""Telling customers: the outbox (messages queued in the same transaction as the change
they report), their templates, and the sender that delivers them (SMS, e-mail)."""
