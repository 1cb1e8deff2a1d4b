"""Jobs, the lowest domain: the workflow (``workflow.move``, the one way a status
changes; it sends ``core.signals.job_moved``), job numbers, loading a job with the
service-point check, search and scanning; the job page, where every area (intake,
bench, parts, pickup) adds its panel, and ``/api/v1/jobs``."""
