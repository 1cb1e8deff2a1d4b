"""Importing the TAC table: the service (batches, re-import updates, rejected rows),
the shipped Osmocom file, the CLI with its progress bar and summary, and the
manager's upload page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AuditEvent, TacEntry, TacImport, ValidationError, db
from workshop.intake.devices import tac

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "tacdb.csv"
LICENCE = "Osmocom TAC database under CC-BY-SA v3.0 (c) Harald Welte 2016"

PLAIN = (
    "tac,brand,model\n"
    "35209900,Alcatel,One Touch 332\n"
    "35693803,Apple,iPhone 6\n"
    "3569380,Apple,iPhone 6 short\n"
    "86012345,Xiaomi,\n"
    "35693803,Apple,iPhone 6 again\n"
)


def stream(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def entries() -> dict[str, tuple[str, str]]:
    return {e.tac: (e.brand, e.model) for e in db.session.scalars(select(TacEntry))}


def test_import_plain_file_and_reasons(db):
    seen = []
    result = tac.import_stream(stream(PLAIN), filename="plain.csv", batch_size=1,
                               progress=lambda read, total: seen.append((read, total)))
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    assert entries() == {"35209900": ("Alcatel", "One Touch 332"), "35693803": ("Apple", "iPhone 6")}
    reasons = {r.line: r.reason for r in result.rejected}
    assert set(reasons) == {4, 5, 6}
    assert "leading zero" in reasons[4] and "model is empty" in reasons[5] and "line 3" in reasons[6]
    assert seen[-1] == (6, 6) and len(seen) >= 2  # progress per batch, ending at the last line
    record = db.session.get(TacImport, result.record.id)
    assert (record.filename, record.layout, record.inserted, record.rejected_count) == ("plain.csv", "plain", 2, 3)
    assert record.rejected_rows[0] == {"line": 4, "raw": "3569380,Apple,iPhone 6 short",
                                       "reason": reasons[4]}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tac.import")).details["inserted"] == 2


def test_reimport_updates_changed_names_and_keeps_the_rest(db):
    tac.import_stream(stream(PLAIN))
    again = tac.import_stream(stream("tac,brand,model\n35209900,Alcatel,OT-332\n35693803,Apple,iPhone 6\n"
                                     "86012345,Xiaomi,Redmi Note 8\n"))
    assert (again.inserted, again.updated, again.unchanged, len(again.rejected)) == (1, 1, 1, 0)
    assert entries() == {"35209900": ("Alcatel", "OT-332"), "35693803": ("Apple", "iPhone 6"),
                         "86012345": ("Xiaomi", "Redmi Note 8")}
    assert tac.lookup("352099001761481").model == "OT-332"
    assert tac.lookup("1234") is None and tac.lookup(None) is None


@pytest.mark.parametrize("text", ["", "imei,maker\n1,2\n"])
def test_a_file_that_is_not_a_tac_table_is_refused(db, text):
    with pytest.raises(ValidationError) as info:
        tac.import_stream(stream(text))
    assert "file" in info.value.errors
    assert db.session.scalar(select(func.count()).select_from(TacImport)) == 0


def test_the_shipped_osmocom_file(db):
    first = tac.import_file(SHIPPED)
    db.session.commit()
    assert first.licence == LICENCE and first.record.licence == LICENCE
    assert first.inserted == tac.count() > 22000 and first.updated == 0
    assert len(first.rejected) == first.record.rejected_count and first.rejected
    assert (tac.lookup("35675904").brand, tac.lookup("35675904").model) == ("Oppo", "N1")
    second = tac.import_file(SHIPPED)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


def test_the_shipped_file_keeps_its_licence_line():
    assert SHIPPED.read_text(encoding="utf-8").splitlines()[0] == LICENCE


def test_missing_file(db):
    with pytest.raises(ValidationError, match="cannot be read"):
        tac.import_file("/nonexistent/tac.csv")


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_import_with_progress_and_rejected_rows(app, runner, tmp_path):
    path = tmp_path / "tac.csv"
    path.write_text(PLAIN, encoding="utf-8")
    r = runner.invoke(args=["tac", "import", str(path)])
    assert r.exit_code == 0, r.output
    assert "Importing TACs" in r.output
    assert "2 rows read: 2 new, 0 updated, 0 unchanged; 3 rejected." in r.output
    assert "Rejected rows:" in r.output and "line 4:" in r.output and "leading zero" in r.output
    with app.app_context():
        assert tac.count() == 2
    r = runner.invoke(args=["tac", "import", str(path)])
    assert "0 new, 0 updated, 2 unchanged" in r.output


def test_cli_refuses_a_bad_file(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,phone\nx,1\n", encoding="utf-8")
    r = runner.invoke(args=["tac", "import", str(path)])
    assert r.exit_code == 1 and "Unrecognised TAC file header" in r.output
    r = runner.invoke(args=["tac", "import", str(tmp_path / "missing.csv")])
    assert r.exit_code == 1 and "cannot be read" in r.output


def test_cli_imei_check(app, runner, tmp_path):
    path = tmp_path / "tac.csv"
    path.write_text(PLAIN, encoding="utf-8")
    runner.invoke(args=["tac", "import", str(path)])
    r = runner.invoke(args=["imei", "check", "35-209900-176148-1"])
    assert r.exit_code == 0 and "352099001761481: valid IMEI" in r.output and "Alcatel One Touch 332" in r.output
    r = runner.invoke(args=["imei", "check", "352099001761482"])
    assert r.exit_code == 1 and "check digit is wrong" in r.output


# -- upload page ------------------------------------------------------------------------------------


def upload(client, text: bytes, name="tac.csv"):
    return client.post("/devices/tac", data={"file": (io.BytesIO(text), name)},
                       content_type="multipart/form-data")


def test_manager_uploads_a_tac_file(app, client, auth, staff):
    auth.login("manager")
    assert client.get("/devices/tac").status_code == 200
    r = upload(client, PLAIN.encode("gb18030"))
    assert r.status_code == 302 and "/devices/tac/imports/" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="tac-rejected"' in page and "leading zero" in page and "rows read" in page
    listing = client.get("/devices/tac").get_data(as_text=True)
    assert "tac.csv" in listing and "2 TACs" in listing


def test_upload_errors_beside_the_field(app, client, auth, staff):
    auth.login("admin")
    r = upload(client, b"\xff\xfe\x00garbage\x81", name="x.csv")
    assert r.status_code == 422 and b"not UTF-8 or GB18030" in r.data
    r = client.post("/devices/tac", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and b"invalid-feedback" in r.data


@pytest.mark.parametrize("role", ["receptionist", "engineer", "clerk"])
def test_only_managers_and_admins_import(client, auth, staff, role):
    auth.login(role)
    assert client.get("/devices/tac").status_code == 403
    assert upload(client, PLAIN.encode()).status_code == 403
