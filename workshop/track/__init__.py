"""The customer's public status page: ``/track/<number>?phone_last4=``.

No sign-in: the job number and the last 4 digits of the customer's phone open it,
and a wrong pair answers exactly like a job that does not exist.  Rate-limited per
client IP (Flask-Limiter; ``TRACK_RATE_LIMIT``, ``RATELIMIT_STORAGE_URI``).
"""

from .views import bp

__all__ = ["bp"]
