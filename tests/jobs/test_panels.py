"""The job page gathers the panels each area registers (workshop.jobs.panels)."""

from __future__ import annotations

from workshop.jobs import panels


def test_each_area_registers_its_panel_in_order(app):
    assert [p.name for p in panels.registered()] == ["intake", "workbench", "parts", "pickup", "aftercare"]


def test_a_panel_gets_its_own_forms_and_a_plain_one_no_data(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})  # only the probes below
    seen = {}
    panels.register("probe", "probe.html", order=2, build=lambda job, forms: seen.setdefault("forms", forms))
    panels.register("plain", "plain.html", order=1)
    gathered = panels.for_job(object(), {"probe": {"note": "bound form"}, "other": {"x": 1}})
    assert [(panel.name, data) for panel, data in gathered] == [("plain", None), ("probe", {"note": "bound form"})]
