"""A user's own sign-in state: API tokens listed and revoked (by the owner, or by a
manager/admin for the accounts they manage), sessions ended.  Rules live in
workshop/core/sessions.py; views.py (pages), api.py (/api/v1/tokens), cli.py."""
