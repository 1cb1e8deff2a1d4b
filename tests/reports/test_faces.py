"""Report pages, API, CSV/XLSX and CLI: managers only, validated periods, safe cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from models import db
from tests import factories
from workshop.reports import exports

from .builders import job, local, repaired


@pytest.fixture
def month(app, shop):
    sp, p = shop
    repaired(sp, p, received_at=local(2026, 11, 2, 10), promised_by=dt.date(2026, 11, 9),
             ready_at=local(2026, 11, 9, 23, 30), collected_at=local(2026, 11, 9, 23, 45), total="150.00")
    # A customer whose name would run as a formula in a spreadsheet.
    evil = factories.customer(sp, name="=HYPERLINK(\"http://x\")", phone="+8613900139000")
    job(sp, p, received_at=local(2026, 11, 3, 10), customer=evil)
    db.session.commit()
    return sp, p


def _login(client, name):
    r = client.post("/login", data={"username": name, "password": factories.PASSWORD})
    assert r.status_code == 302


NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.mark.parametrize("who", ["receptionist", "engineer", "clerk", "admin"])
def test_only_managers_read_reports(app, month, token_for, who):
    _, p = month
    client = app.test_client()
    headers = token_for(p[who])
    for url in ("/api/v1/reports/kpis", "/api/v1/reports/complaints"):
        assert client.get(url, query_string=NOV, headers=headers).status_code == 403, url
    _login(client, who)
    for url in ("/reports/", "/reports/kpis.csv", "/reports/workbook.xlsx", "/reports/jobs/jobs_received",
                "/reports/complaints", "/reports/complaints.csv", "/reports/complaints.pdf",
                "/reports/complaints/list/complaints_received", "/reports/satisfaction"):
        assert client.get(url, query_string=NOV).status_code == 403, url


def test_api_kpis_for_a_manager(app, month, token_for):
    _, p = month
    r = app.test_client().get("/api/v1/reports/kpis", query_string=NOV, headers=token_for(p["manager"]))
    assert r.status_code == 200, r.json
    body = r.json
    for key in ("jobs_received", "jobs_collected", "turnaround_days_median", "on_time_rate",
                "first_time_fix_rate", "rerepair_rate"):
        assert key in body
    assert body["jobs_received"] == 2 and body["jobs_collected"] == 1 and body["on_time_rate"] == 1.0
    assert body["from"] == "2026-11-01" and body["service_points"] == ["SZ01"]


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-13-01", "to": "2026-11-30"}, "from"),
    ({"from": "2026-11-01", "to": "yesterday"}, "to"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "from"),
    ({"from": "2024-01-01", "to": "2026-11-30"}, "to"),
])
def test_bad_periods_are_422(app, month, token_for, query, field):
    _, p = month
    r = app.test_client().get("/api/v1/reports/kpis", query_string=query, headers=token_for(p["manager"]))
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json" and field in r.json["errors"]


def test_other_service_point_is_403(app, month, token_for):
    _, p = month
    factories.service_point("OT01")
    db.session.commit()
    r = app.test_client().get("/api/v1/reports/kpis", query_string={**NOV, "service_point": "OT01"},
                              headers=token_for(p["manager"]))
    assert r.status_code == 403


def test_manager_of_several_service_points_chooses(app, month, token_for):
    _, p = month
    other = factories.service_point("OT01", timezone="Europe/Berlin")
    job(other, p, received_at=dt.datetime(2026, 11, 4, 10, tzinfo=dt.UTC))
    boss = p["manager"]
    boss.granted_service_points.append(other)
    db.session.commit()
    client = app.test_client()
    headers = token_for(boss)
    both = client.get("/api/v1/reports/kpis", query_string=NOV, headers=headers).json
    one = client.get("/api/v1/reports/kpis", query_string={**NOV, "service_point": "OT01"}, headers=headers).json
    assert both["service_points"] == ["OT01", "SZ01"] and both["jobs_received"] == 3
    assert one["jobs_received"] == 1


def test_kpi_page_dashboard_and_drill(app, month):
    client = app.test_client()
    _login(client, "manager")
    page = client.get("/reports/", query_string=NOV)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "/reports/jobs/on_time_rate" in html and "cdn" not in html.lower()
    drill = client.get("/reports/jobs/jobs_received", query_string=NOV).get_data(as_text=True)
    assert drill.count('data-job="') == 2
    home = client.get("/").get_data(as_text=True)
    assert 'id="manager-dashboard"' in home and "<svg" in home
    for preset in ("today", "this_week", "this_month", "last_month"):
        assert client.get("/reports/", query_string={"preset": preset}).status_code == 200
    bad = client.get("/reports/", query_string={"from": "2026-11-31"}, headers={"Accept": "text/html"})
    assert bad.status_code == 422


def test_home_page_of_others_has_no_dashboard(app, month):
    client = app.test_client()
    _login(client, "receptionist")
    assert 'id="manager-dashboard"' not in client.get("/").get_data(as_text=True)


def test_csv_neutralises_formulas():
    text = exports.csv_text(["name", "amount"], [["=1+2", -5], ["+cmd", "ok"], ["-x", None], ["@SUM(A1)", 3],
                                                 ["plain", "1.00"]])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["'=1+2", "-5"]  # a negative number stays a number
    assert rows[2][0] == "'+cmd" and rows[3][0] == "'-x" and rows[4][0] == "'@SUM(A1)"
    assert rows[5] == ["plain", "1.00"]


def test_kpis_csv_and_workbook(app, month):
    client = app.test_client()
    _login(client, "manager")
    r = client.get("/reports/kpis.csv", query_string=NOV)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = dict(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows["jobs_received"] == "2" and rows["on_time_rate"] == "1.0"
    for table in ("parts", "engineers", "ageing"):
        assert client.get(f"/reports/{table}.csv", query_string=NOV).status_code == 200
    drill = client.get("/reports/jobs/jobs_received", query_string={**NOV, "format": "csv"})
    assert drill.mimetype == "text/csv" and len(drill.get_data(as_text=True).strip().splitlines()) == 3
    x = client.get("/reports/workbook.xlsx", query_string={"month": "2026-11"})
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.data))
    assert "KPIs" in wb.sheetnames
    values = {row[0]: row[1] for row in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert values["jobs_received"] == 2
    assert client.get("/reports/workbook.xlsx", query_string={"month": "November"}).status_code == 422


def test_cli_kpis(app, month):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "kpis", "--from", "2026-11-01", "--to", "2026-11-30", "--csv"])
    assert result.exit_code == 0, result.output
    rows = dict(csv.reader(io.StringIO(result.output)))
    assert rows["jobs_received"] == "2" and rows["jobs_collected"] == "1"
    table = runner.invoke(args=["reports", "kpis", "--from", "2026-11-01", "--to", "2026-11-30"])
    assert table.exit_code == 0 and "on_time_rate" in table.output
    bad = runner.invoke(args=["reports", "kpis", "--from", "2026-11-31"])
    assert bad.exit_code != 0 and "from" in bad.output


def test_pages_in_chinese(app, month):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    _login(client, "manager")
    assert "维修经营指标" in client.get("/reports/", query_string=NOV).get_data(as_text=True)
    assert "投诉案件统计表" in client.get("/reports/complaints", query_string=NOV).get_data(as_text=True)
    assert "网点经营一览" in client.get("/").get_data(as_text=True)


def test_drill_page_by_page_and_the_whole_csv(app, month):
    """A drill-down page shows ``per_page`` rows and links to the next page; the pages
    together show every job once; the CSV (streamed) has them all; a bad page size or
    cursor is a 422."""
    client = app.test_client()
    _login(client, "manager")
    url, query = "/reports/jobs/jobs_received", {**NOV, "per_page": "1"}
    seen = []
    while True:
        page = client.get(url, query_string=query)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        seen += re.findall(r'data-job="([^"]+)"', html)
        found = re.search(r'id="drill-next" rel="next" href="([^"]+)"', html)
        if not found:
            break
        url, query = found.group(1).replace("&amp;", "&"), None
    assert len(seen) == 2 and len(set(seen)) == 2
    csv_answer = client.get("/reports/jobs/jobs_received", query_string={**NOV, "format": "csv"})
    lines = list(csv.reader(io.StringIO(csv_answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][0] == "number" and sorted(r[0] for r in lines[1:]) == sorted(seen)
    for bad in ({"per_page": "x"}, {"per_page": "0"}, {"after": "not-a-cursor"}):
        assert client.get("/reports/jobs/jobs_received", query_string={**NOV, **bad},
                          headers={"Accept": "text/html"}).status_code == 422
