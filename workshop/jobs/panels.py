"""The job page's panels: each domain registers its own, the job page gathers them.

A panel is a template and, when it shows more than the job itself, a ``build(job,
forms)`` that gathers its data (the domain's queries) for the template, which gets it
as ``panel_data``.  ``forms`` are bound forms with errors, to show instead of fresh
ones after a refused submission.  The jobs domain knows no panel by name: intake,
the bench, parts and pickup register theirs when their web face is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobPanel:
    name: str
    template: str
    order: int
    build: Callable[[Any, dict], Any] | None = None


_PANELS: dict[str, JobPanel] = {}


def register(name: str, template: str, *, order: int, build: Callable[[Any, dict], Any] | None = None) -> None:
    """Add (or replace) the panel ``name``; panels show by ``order``, lowest first."""
    _PANELS[name] = JobPanel(name, template, order, build)


def registered() -> list[JobPanel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))


def for_job(job, forms: dict[str, dict] | None = None) -> list[tuple[JobPanel, Any]]:
    """Each registered panel with its data for ``job``; ``forms`` maps a panel's name to
    the bound forms it should show."""
    forms = forms or {}
    return [(panel, panel.build(job, forms.get(panel.name) or {}) if panel.build else None)
            for panel in registered()]
