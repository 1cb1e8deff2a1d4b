"""Reading TAC tables from CSV (pure: no app, no database)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from workshop.intake.devices.tac_csv import (
    MAX_NAME_LENGTH,
    RejectedRow,
    TacCsvReader,
    TacRow,
    decode_tac_bytes,
    open_tac_csv,
    read_tac_csv,
)

# The shipped copy of the public Osmocom export (identical to shared/data/tacdb.csv).
TACDB = Path(__file__).resolve().parents[2] / "data" / "tacdb.csv"
LICENCE = "Osmocom TAC database under CC-BY-SA v3.0 (c) Harald Welte 2016"
OSMOCOM_HEADER = "tac,name,name,contributor,comment,gsmarena,gsmarena,aka"


def read(text: str) -> tuple[TacCsvReader, list[TacRow], list[RejectedRow]]:
    reader = read_tac_csv(io.StringIO(text, newline=""))
    items = list(reader)
    good = [i for i in items if isinstance(i, TacRow)]
    bad = [i for i in items if isinstance(i, RejectedRow)]
    assert bad == reader.rejected
    assert len(good) == reader.accepted
    return reader, good, bad


# -- the real Osmocom export -----------------------------------------------------------


@pytest.fixture(scope="module")
def tacdb():
    with TACDB.open(encoding="utf-8", newline="") as handle:
        reader = read_tac_csv(handle)
        items = list(reader)
    return reader, items


def test_tacdb_layout_and_counts(tacdb):
    reader, items = tacdb
    assert reader.layout == "osmocom"
    assert reader.licence == LICENCE
    assert reader.total_lines == 22529  # licence + header + 22,527 rows
    assert reader.lines_read == 22529
    assert reader.accepted == 22524
    assert len(reader.rejected) == 3
    assert len(items) == 22527
    assert reader.summary() == "22524 rows read, 3 rejected."


def test_tacdb_known_rows(tacdb):
    _, items = tacdb
    by_tac = {i.tac: i for i in items if isinstance(i, TacRow)}
    assert by_tac["35675904"] == TacRow(line=3, tac="35675904", brand="Oppo", model="N1")
    assert (by_tac["49013920"].brand, by_tac["49013920"].model) == ("Nokia", "1610")
    assert (by_tac["35648710"].brand, by_tac["35648710"].model) == ("Apple", "iPhone SE")
    # non-ASCII brand survives
    assert by_tac["35246100"].brand == "Keller AG für Druckmesstechnik"


def test_tacdb_leading_space_tacs_are_kept(tacdb):
    _, items = tacdb
    by_tac = {i.tac: i for i in items if isinstance(i, TacRow)}
    # These four rows have " 35572302" etc. in the file.
    assert by_tac["35572302"].line == 1996
    assert by_tac["35693703"].line == 2268
    assert (by_tac["33010667"].brand, by_tac["33010667"].model) == ("Alcatel", "OT Club")
    assert by_tac["33205600"].line == 4021


def test_tacdb_duplicates_are_rejected_with_reasons(tacdb):
    reader, _ = tacdb
    assert [(r.line, r.reason) for r in reader.rejected] == [
        (19246, ("TAC 33205600 was already read on line 4021 as Sagem DMC 830; "
                "the first entry is kept.")),
        (20546, "TAC 35572302 repeats line 1996 (same brand and model)."),
        (20877, "TAC 35693703 repeats line 2268 (same brand and model)."),
    ]
    assert reader.rejected[0].raw.startswith("33205600,Sagem,M314-B0,")


def test_tacdb_rows_are_clean(tacdb):
    _, items = tacdb
    rows = [i for i in items if isinstance(i, TacRow)]
    assert len({r.tac for r in rows}) == len(rows)
    for row in rows:
        assert len(row.tac) == 8 and row.tac.isdigit()
        assert row.brand and row.brand == " ".join(row.brand.split())
        assert row.model and row.model == " ".join(row.model.split())
    assert [r.line for r in rows] == sorted(r.line for r in rows)


def test_open_tac_csv_reads_the_real_file():
    reader = read_tac_csv(open_tac_csv(TACDB))
    assert sum(1 for i in reader if isinstance(i, TacRow)) == 22524
    assert reader.total_lines == 22529


# -- plain tac,brand,model ----------------------------------------------------------------


def test_plain_file():
    reader, good, bad = read("tac,brand,model\n35675904,Oppo,N1\n01234567,Apple,iPhone 5\n")
    assert reader.layout == "plain"
    assert reader.licence is None
    assert good == [TacRow(2, "35675904", "Oppo", "N1"), TacRow(3, "01234567", "Apple", "iPhone 5")]
    assert bad == []
    assert reader.total_lines == 3


def test_plain_file_with_bom_crlf_whitespace_and_quotes():
    text = ('\ufeff Tac , Brand , MODEL ,,\r\n'
            ' 35675904 ,  Oppo ,"  N1   Plus " ,,\r\n'
            '\r\n'
            '"01234567","Apple","iPhone 5, 16GB"\r\n'
            ',,\r\n'
            '35648710,Apple,iPhone\tSE\r\n')
    reader, good, bad = read(text)
    assert reader.layout == "plain"
    assert bad == []
    assert good == [
        TacRow(2, "35675904", "Oppo", "N1 Plus"),
        TacRow(4, "01234567", "Apple", "iPhone 5, 16GB"),
        TacRow(6, "35648710", "Apple", "iPhone SE"),
    ]
    assert reader.total_lines == 6


def test_plain_file_columns_in_any_order_and_extra_columns():
    _, good, _ = read("model,notes,brand,tac\nN1,ok,Oppo,35675904\n")
    assert good == [TacRow(2, "35675904", "Oppo", "N1")]


def test_universal_newlines_stream_works_too():
    # A stream opened without newline="" (CRLF already translated) reads the same.
    reader = read_tac_csv(io.StringIO("tac,brand,model\r\n35675904,Oppo,N1\r\n"))
    assert list(reader) == [TacRow(2, "35675904", "Oppo", "N1")]


def test_old_mac_line_endings():
    reader, good, _ = read("tac,brand,model\r35675904,Oppo,N1\r35648710,Apple,iPhone SE\r")
    assert [r.tac for r in good] == ["35675904", "35648710"]
    assert reader.total_lines == 3


def test_multiline_quoted_name_keeps_its_start_line():
    _, good, _ = read('tac,brand,model\n35675904,Oppo,"N1\nmini"\n35648710,Apple,SE\n')
    assert good == [TacRow(2, "35675904", "Oppo", "N1 mini"), TacRow(4, "35648710", "Apple", "SE")]


def test_osmocom_layout_without_licence_line():
    reader, good, _ = read(f"{OSMOCOM_HEADER}\n35675904,Oppo,N1,me,,,,\n")
    assert reader.layout == "osmocom"
    assert reader.licence is None
    assert good == [TacRow(2, "35675904", "Oppo", "N1")]


def test_osmocom_layout_with_bom_and_crlf():
    reader, good, _ = read(f"\ufeff{LICENCE}\r\n{OSMOCOM_HEADER}\r\n35675904,Oppo,N1,,,,,\r\n")
    assert reader.licence == LICENCE
    assert good == [TacRow(3, "35675904", "Oppo", "N1")]


# -- rejected rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1234567,Acme,One", ("The TAC '1234567' has 7 digits; a TAC has 8 (was a leading zero "
                             "lost in a spreadsheet?).")),
        ("123456789,Acme,One", "The TAC '123456789' is not 8 digits."),
        ("3567590A,Acme,One", "The TAC '3567590A' is not 8 digits."),
        ("35675904.0,Acme,One", "The TAC '35675904.0' is not 8 digits."),
        ("3567 5904,Acme,One", "The TAC '3567 5904' is not 8 digits."),
        ("３５６７５９０４,Acme,One", "The TAC '３５６７５９０４' is not 8 digits."),
        (",Acme,One", "The TAC is empty."),
        ("35675904,,One", "The brand is empty."),
        ("35675904,Acme,  ", "The model is empty."),
        ("35675904,,", "The brand and model are empty."),
        ("35675904", "The row has 1 field(s); at least 3 are needed (tac, brand and model)."),
        ("35675904,Acme", "The row has 2 field(s); at least 3 are needed (tac, brand and model)."),
        ("35675904,Acme,One, Two", ("The row has more fields than the header (4 instead of 3); "
                                   "is there an unquoted comma in a name?")),
        (f"35675904,Acme,{'M' * (MAX_NAME_LENGTH + 1)}",
         (f"The model is {MAX_NAME_LENGTH + 1} characters long; at most {MAX_NAME_LENGTH} are "
         "allowed.")),
    ],
)
def test_rejects_have_plain_reasons(row, reason):
    reader, good, bad = read(f"tac,brand,model\n{row}\n35648710,Apple,SE\n")
    assert bad == [RejectedRow(line=2, raw=row, reason=reason)]
    assert good == [TacRow(3, "35648710", "Apple", "SE")]  # reading goes on
    assert reader.summary() == "1 rows read, 1 rejected."


def test_trailing_empty_fields_are_not_extra_fields():
    _, good, bad = read("tac,brand,model\n35675904,Acme,One,,,\n")
    assert bad == [] and len(good) == 1


def test_name_of_max_length_is_accepted():
    _, good, _ = read(f"tac,brand,model\n35675904,Acme,{'M' * MAX_NAME_LENGTH}\n")
    assert len(good[0].model) == MAX_NAME_LENGTH


def test_duplicates_first_wins():
    _, good, bad = read("tac,brand,model\n35675904,Oppo,N1\n35675904,Oppo,N1\n"
                        "35675904,OPPO,N1 mini\n")
    assert good == [TacRow(2, "35675904", "Oppo", "N1")]
    assert [b.reason for b in bad] == [
        "TAC 35675904 repeats line 2 (same brand and model).",
        "TAC 35675904 was already read on line 2 as Oppo N1; the first entry is kept.",
    ]


def test_control_characters_in_names_become_spaces():
    _, good, _ = read("tac,brand,model\n35675904,Op\x00po,N\x071\n")
    assert (good[0].brand, good[0].model) == ("Op po", "N 1")


# -- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "imei,brand,model\n35675904,Oppo,N1\n",
        "tac,name\n35675904,Oppo\n",
        "tac,brand,brand,model\n",
        "35675904,Oppo,N1\n",
        f"Some other licence\n{OSMOCOM_HEADER}\n",
        "tac;brand;model\n35675904;Oppo;N1\n",
    ],
)
def test_unknown_header_is_refused_before_reading(text):
    stream = io.StringIO(text, newline="")
    with pytest.raises(ValueError, match="Unrecognised TAC file header") as excinfo:
        read_tac_csv(stream)
    assert "tac,brand,model" in str(excinfo.value)


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", f"{LICENCE}\n"])
def test_empty_file_is_refused(text):
    with pytest.raises(ValueError, match="empty"):
        read_tac_csv(io.StringIO(text, newline=""))


def test_blank_lines_before_header_are_skipped():
    _, good, _ = read("\n\ntac,brand,model\n35675904,Oppo,N1\n")
    assert good == [TacRow(4, "35675904", "Oppo", "N1")]


# -- progress and decoding -------------------------------------------------------------------


def test_lines_read_advances_for_a_progress_bar():
    reader = read_tac_csv(io.StringIO("tac,brand,model\n35675904,Oppo,N1\n35648710,Apple,SE\n"))
    assert reader.total_lines == 3
    assert reader.lines_read == 1
    next(reader)
    assert reader.lines_read == 2
    next(reader)
    assert reader.lines_read == 3
    with pytest.raises(StopIteration):
        next(reader)


def test_unseekable_stream_has_no_total():
    class Unseekable(io.StringIO):
        def seekable(self):
            return False

    reader = read_tac_csv(Unseekable("tac,brand,model\n35675904,Oppo,N1\n"))
    assert reader.total_lines is None
    assert [r.tac for r in reader] == ["35675904"]


def test_total_lines_without_final_newline():
    assert read_tac_csv(io.StringIO("tac,brand,model\n35675904,Oppo,N1")).total_lines == 2


@pytest.mark.parametrize(
    "data",
    [
        "tac,brand,model\n35675904,欧珀,N1\n".encode(),
        "tac,brand,model\n35675904,欧珀,N1\n".encode("utf-8-sig"),
        "tac,brand,model\r\n35675904,欧珀,N1\r\n".encode("gbk"),
    ],
)
def test_decode_utf8_bom_or_gbk(data):
    reader = read_tac_csv(decode_tac_bytes(data))
    assert list(reader) == [TacRow(2, "35675904", "欧珀", "N1")]


def test_decode_refuses_binary():
    with pytest.raises(ValueError, match="not UTF-8 or GB18030"):
        decode_tac_bytes(b"\x80\x81\xff\xfe\x00\x81\x30")
