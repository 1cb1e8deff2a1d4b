"""Issue 15, item 5: CSV exports neutralise formula cells (one writer helper, used by
every export); imports detect UTF-8/UTF-16/GB18030, name the line of a bad byte, refuse
oversized fields per row, and report an unclosed quote without losing the rows after it."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from sqlalchemy import select

from models import Customer, Part, db
from tests import factories
from workshop.core import csvio
from workshop.parts import catalogue as parts_service

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("value", EVIL)
def test_writer_neutralises_formula_cells_and_restore_undoes_it(value):
    out = io.StringIO()
    csvio.writer(out).writerow([value, 5, "plain"])
    cell = next(csv.reader(io.StringIO(out.getvalue())))
    assert cell[0] == "'" + value and cell[1] == "5" and cell[2] == "plain"
    assert csvio.restore(cell[0]) == value
    assert csvio.restore("'quoted on purpose") == "'quoted on purpose"


def _cells(text):
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def test_catalogue_and_reorder_exports_are_neutralised_and_reimport_unchanged(app, staff):
    with app.app_context():
        factories.part("EVIL-1", name="=HYPERLINK(\"http://evil\",\"click\")", brand="@brand",
                       stock=0, reorder_point=2)
        db.session.commit()
        exported = parts_service.export_csv()
        assert "'=HYPERLINK" in exported and not any(c.startswith(("=", "@")) for c in _cells(exported))
        sp = factories.service_point("SZ01")
        reorder = parts_service.reorder_csv(sp)
        assert "'=HYPERLINK" in reorder and not any(c.startswith(("=", "@")) for c in _cells(reorder))
        result = parts_service.import_rows(None, parts_service.read_csv(exported))
        assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
        assert db.session.scalar(select(Part.name).where(Part.sku == "EVIL-1")).startswith("=HYPERLINK")


def test_uncollected_export_is_neutralised(app, client, auth):
    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("receptionist", username="desk", sp=sp)
        job = factories.ready_job(sp)
        db.session.get(Customer, job.customer_id).name = "=cmd|' /C calc'!A0"
        db.session.commit()
    auth.login("desk")
    text = client.get("/pickup/uncollected.csv").get_data(as_text=True)
    cells = _cells(text)
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(csvio.FORMULA_PREFIXES) for c in cells)


GOOD = "sku,name,price\nGLUE,屏幕胶,15\nTAPE,胶带,5\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030"])
def test_decode_accepts_the_named_encodings(encoding):
    assert csvio.decode(GOOD.encode(encoding)) == GOOD


def test_bad_byte_is_reported_with_its_line():
    lines = ["sku,name,price"] + [f"P{i},part {i},1" for i in range(2, 60001)]
    data = bytearray("\n".join(lines).encode("utf-8"))
    index = data.index(b"P59999,")
    data[index + 3] = 0xFF
    with pytest.raises(csvio.CsvEncodingError) as err:
        csvio.decode(bytes(data))
    assert err.value.line == 59999 and "line 59999" in err.value.message and "0xff" in err.value.message
    latin1 = "sku,name,price\nX,Café crème,1\n".encode("latin-1")
    with pytest.raises(ValueError, match="line 2"):
        csvio.decode(latin1)
    broken16 = codecs.BOM_UTF16_LE + "sku,name\nA,b\n".encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le")
    with pytest.raises(csvio.CsvEncodingError, match="UTF-16"):
        csvio.decode(broken16)


def test_oversized_field_is_refused_on_its_row_and_the_rest_imported(app, staff, runner, tmp_path):
    big = "x" * (200 * 1024)
    path = tmp_path / "parts.csv"
    path.write_text(f"sku,name,price\nA-1,ok,1\nB-2,{big},2\nC-3,also ok,3\n", encoding="utf-8")
    r = runner.invoke(args=["parts", "import", str(path)])
    assert r.exit_code == 0, r.output
    assert "2 created" in r.output and "1 rejected" in r.output and "line 3: A field is longer" in r.output
    medium = "y" * (csvio.MAX_FIELD + 10)  # under the csv module's own limit, over ours
    rows = parts_service.read_csv(f"sku,name,price\nD-4,{medium},1\nE-5,fine,1\n")
    assert rows[0][0] == 2 and "longer" in rows[0][1]["_error"] and rows[1][1]["sku"] == "E-5"


def test_unterminated_quote_is_reported_and_later_rows_kept(app, staff, runner, tmp_path):
    path = tmp_path / "parts.csv"
    path.write_text('sku,name,price\nA-1,ok,1\nB-2,"broken,2\nC-3,fine,3\nD-4,fine too,4\n', encoding="utf-8")
    r = runner.invoke(args=["parts", "import", str(path)])
    assert r.exit_code == 0, r.output
    assert "3 created" in r.output and "line 3: A quote opened on this line is never closed" in r.output
    # a quote left open that meets another quote further down: reported, not merged silently
    text = 'sku,name,price\nA-1,"open,1\nB-2,fine,2\nC-3,"x",3\n'
    rows = parts_service.read_csv(text)
    assert rows[0][0] == 2 and "_error" in rows[0][1]
    assert [r[1].get("sku") for r in rows[1:]] == ["B-2", "C-3"]


def test_upload_reports_the_bad_line(client, auth, staff):
    auth.login("clerk")
    data = b"sku,name,price\nA,b,1\n" + b"C,\xff\xfe\xfd,1\n"
    r = client.post("/parts/import", data={"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422 and b"line 3" in r.data


def test_tac_upload_decoding_names_the_line():
    from workshop.intake.devices.tac_csv import decode_tac_bytes

    assert decode_tac_bytes("tac,brand,model\n35209900,Apple,iPhone\n".encode("utf-16")).read().startswith("tac")
    with pytest.raises(ValueError, match="line 2"):
        decode_tac_bytes(b"tac,brand,model\n35209900,\xff\xff,x\n")


def test_tac_reader_reports_an_unclosed_quote_and_keeps_the_rows_after_it():
    from workshop.intake.devices.tac_csv import RejectedRow, TacRow, read_tac_csv

    text = ('tac,brand,model\n35209900,Apple,iPhone 13\n35209901,"Apple,iPhone broken\n'
            '35209902,Samsung,Galaxy S21\n35209903,Xiaomi,Mi 11\n')
    reader = read_tac_csv(io.StringIO(text, newline=""))
    rows = list(reader)
    good = [r.tac for r in rows if isinstance(r, TacRow)]
    bad = [r for r in rows if isinstance(r, RejectedRow)]
    assert good == ["35209900", "35209902", "35209903"]
    assert [r.line for r in bad] == [3] and "not closed" in bad[0].reason
    assert reader.lines_read == 5


def test_tac_reader_refuses_a_huge_field_on_its_row():
    from workshop.intake.devices.tac_csv import RejectedRow, TacRow, read_tac_csv

    huge = "x" * (200 * 1024)
    text = f"tac,brand,model\n35209900,Apple,iPhone 13\n35209901,Apple,{huge}\n35209902,Samsung,Galaxy S21\n"
    rows = list(read_tac_csv(io.StringIO(text, newline="")))
    assert [r.tac for r in rows if isinstance(r, TacRow)] == ["35209900", "35209902"]
    assert [r.line for r in rows if isinstance(r, RejectedRow)] == [3]


def test_tac_reader_spots_a_quote_that_closes_in_a_later_row():
    from workshop.intake.devices.tac_csv import RejectedRow, TacRow, read_tac_csv

    text = ('tac,brand,model\n35209900,"Apple,iPhone\n35209902,Samsung,Galaxy S21\n'
            '35209903,Xiaomi,"Mi 11"\n35209904,Oppo,"N1\nmini"\n')
    rows = list(read_tac_csv(io.StringIO(text, newline="")))
    assert [(r.tac, r.model) for r in rows if isinstance(r, TacRow)] == [
        ("35209902", "Galaxy S21"), ("35209903", "Mi 11"), ("35209904", "N1 mini")]
    assert [r.line for r in rows if isinstance(r, RejectedRow)] == [2]
