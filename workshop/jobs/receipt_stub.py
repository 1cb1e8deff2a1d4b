"""The customer's receipt stub: its own code, the job number and a secret token.

The tag on the handset's bag carries only the job number, so it opens the job but
never verifies a customer at pickup; the stub's code (``SZ01-000123-123456789012``)
does both. The token is stored on the job (``Job.stub_token``) and printed only on
the intake receipt.
"""

from __future__ import annotations

import hmac
import re

from models import Job
from models.jobs import STUB_TOKEN_DIGITS

STUB_CODE_RE = re.compile(rf"^([A-Z0-9]{{2,6}}-[0-9]{{6,}})-([0-9]{{{STUB_TOKEN_DIGITS}}})$")


def stub_code(job: Job) -> str:
    """What the stub's barcode says."""
    return f"{job.number}-{job.stub_token}"


def split(code: str) -> tuple[str, str] | None:
    """(job number, token) of a scanned stub code, or None if ``code`` is not one."""
    m = STUB_CODE_RE.match((code or "").strip().upper())
    return (m.group(1), m.group(2)) if m else None


def matches(job: Job, code: str) -> bool:
    """Whether ``code`` is ``job``'s stub (compared in constant time)."""
    parts = split(code)
    if parts is None or not job.stub_token:
        return False
    number, token = parts
    return (hmac.compare_digest(number.encode(), job.number.upper().encode())
            & hmac.compare_digest(token.encode(), job.stub_token.encode()))
