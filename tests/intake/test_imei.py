"""IMEI rules at the front desk (pure: no app, no database)."""

from __future__ import annotations

import pytest

from workshop.intake.devices.imei import (
    KINDS,
    ImeiCheck,
    check,
    check_digit,
    check_pair,
    mask,
    normalise,
    normalise_serial,
)

GOOD = "352099001761481"  # the CONTRACT.md example; Luhn check digit 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("352099001761481", "352099001761481"),
        ("35 209900 176148 1", "352099001761481"),
        ("35-209900-176148-1", "352099001761481"),
        ("35/209900/176148/1", "352099001761481"),
        ("35.209900.176148.1", "352099001761481"),
        ("  352099001761481\t\n", "352099001761481"),
        ("35 - 209900 / 176148 . 1", "352099001761481"),
        ("３５２０９９００１７６１４８１", "352099001761481"),  # full-width digits
        ("35\u3000209900\u00a0176148\u20131", "352099001761481"),  # ideographic space, NBSP, en dash
        ("af 01 23 45 0a bc de", "AF0123450ABCDE"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise(typed, expected):
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    "imei",
    ["352099001761481", "490154203237518", "356938035643809", "354178036859789",
     "012345678901237", "35-209900-176148-1", "35 209900 176148 1", "35/209900/176148/1"],
)
def test_valid_imei(imei):
    result = check(imei)
    assert result.valid is True
    assert result.kind == "imei"
    assert result.reason is None
    assert result.code == "ok"
    assert result.value == normalise(imei)
    assert result.tac == normalise(imei)[:8]
    assert result.input == imei
    assert result.suggestion is None


def test_check_keeps_input_as_typed():
    result = check(" 35-209900-176148-1 ")
    assert result.input == " 35-209900-176148-1 "
    assert result.value == GOOD


@pytest.mark.parametrize("wrong", ["0", "2", "3", "4", "5", "6", "7", "8", "9"])
def test_every_wrong_check_digit_is_refused_and_the_right_one_named(wrong):
    result = check("35209900176148" + wrong)
    assert result.valid is False
    assert result.kind == "imei"
    assert result.code == "bad_check_digit"
    assert "should be 1" in result.reason
    assert f"not {wrong}" in result.reason
    assert result.tac == "35209900"
    assert result.suggestion is None  # a typo may be anywhere: no guessing


@pytest.mark.parametrize(
    ("imei", "transposed"),
    [("352099001761481", "352099001716481"), ("490154203237518", "490145203237518")],
)
def test_single_digit_and_transposition_typos_are_caught(imei, transposed):
    # Luhn catches every single-digit error and most adjacent transpositions.
    for i in range(15):
        for d in "0123456789":
            if d != imei[i]:
                assert check(imei[:i] + d + imei[i + 1:]).valid is False
    assert check(transposed).valid is False


@pytest.mark.parametrize(
    "first14", ["35209900176148", "49015420323751", "35693803564380", "00000000000001"]
)
def test_check_digit_matches_stdnum(first14):
    from stdnum import luhn

    assert check_digit(first14) == luhn.calc_check_digit(first14)
    assert check(first14 + check_digit(first14)).valid


@pytest.mark.parametrize("bad", ["", "3520990017614", "352099001761481", "3520990017614A"])
def test_check_digit_needs_exactly_14_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize(
    "imeisv", ["3520990017614823", "35-209900-176148-23", "35 209900 176148 99"]
)
def test_imeisv_is_recognised_and_the_imei_offered(imeisv):
    result = check(imeisv)
    assert result.valid is False
    assert result.kind == "imeisv"
    assert result.code == "imeisv"
    assert result.tac == "35209900"
    assert result.suggestion == GOOD
    assert result.reason == (
        "This is an IMEISV (IMEI + 2-digit software version), not an IMEI; the IMEI is "
        "the first 14 digits plus a check digit: 352099001761481"
    )


def test_fourteen_digits_is_an_imei_without_check_digit():
    result = check("35-209900-176148")
    assert result.valid is False
    assert result.kind == "imei"
    assert result.code == "no_check_digit"
    assert result.suggestion == GOOD
    assert GOOD in result.reason
    assert "check digit" in result.reason
    assert result.tac == "35209900"


@pytest.mark.parametrize(
    "meid",
    ["AF0123450ABCDE", "AF 01 23 45 0A BC DE", "af0123450abcde", "A0000000002329",
     "AF0123450ABCDEC", "AF 01 23 45 0A BC DE C", "FFFFFFFFFFFFFF"],
)
def test_hex_meid_is_recognised_not_accepted(meid):
    result = check(meid)
    assert result.valid is False
    assert result.kind == "meid"
    assert result.code == "meid"
    assert "MEID" in result.reason and "CDMA" in result.reason and "not an IMEI" in result.reason
    assert result.tac is None


def test_hex_meid_with_wrong_check_digit():
    result = check("AF0123450ABCDE1")
    assert result.kind == "meid"
    assert result.valid is False
    assert result.code == "meid_bad_check_digit"
    assert "should be C" in result.reason


@pytest.mark.parametrize("meid", ["293608736500703710", "29360 87365 0070 3710", "29360 87365 0070 3710 0"])
def test_decimal_meid_is_recognised(meid):
    result = check(meid)
    assert result.kind == "meid"
    assert result.valid is False
    assert result.code == "meid"
    assert "AF0123450ABCDE" in result.reason
    assert "not an IMEI" in result.reason


def test_decimal_meid_with_wrong_check_digit():
    result = check("29360 87365 0070 3710 1")
    assert result.kind == "meid"
    assert result.code == "meid_bad_check_digit"
    assert "should be 0" in result.reason


@pytest.mark.parametrize("value", ["9F0123450ABCDE", "3520990017614B", "0A0123450ABCDE1"])
def test_hex_below_a0_is_not_an_meid(value):
    result = check(value)
    assert result.kind == "unknown"
    assert result.valid is False
    assert "A0" in result.reason


@pytest.mark.parametrize(
    ("zeros", "kind"),
    [("000000000000000", "imei"), ("00-000000-000000-0", "imei"), ("00000000000000", "imei"),
     ("0000000000000000", "imeisv"), ("000000000000001", "imei"), ("0000000000000012", "imeisv")],
)
def test_all_zero_imei_means_the_handset_lost_its_imei(zeros, kind):
    result = check(zeros)
    assert result.valid is False  # even though 0...0 passes the Luhn check
    assert result.kind == kind
    assert result.code == "lost_imei"
    assert "lost its IMEI" in result.reason
    assert "serial number" in result.reason
    assert "refer" in result.reason
    assert result.tac is None
    assert result.suggestion is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("- / .", "empty"),
        ("1", "wrong_length"),
        ("3520990017614", "wrong_length"),  # 13
        ("35209900176148123", "wrong_length"),  # 17
        ("12345678901234567890", "wrong_length"),  # 20
        ("123456789012345678", "wrong_length"),  # 18 digits, not an MEID
        ("*#06#", "bad_characters"),
        ("IMEI 352099001761481", "bad_characters"),
        ("35209900176148é", "bad_characters"),
        ("hello", "bad_characters"),
        ("35209900I76148O", "bad_characters"),
    ],
)
def test_garbage_is_unknown_with_a_reason(value, code):
    result = check(value)
    assert result.kind == "unknown"
    assert result.valid is False
    assert result.code == code
    assert result.reason and result.reason.endswith((".", "?).", ")."))
    assert result.tac is None


def test_wrong_length_says_how_many_digits():
    assert check("3520990017614").reason == "An IMEI has 15 digits; '3520990017614' has 13."


def test_lookalike_letters_get_a_hint():
    reason = check("35209900I76148O").reason
    assert "letter I for 1" in reason and "letter O for 0" in reason


def test_kinds_and_dict():
    assert KINDS == ("imei", "imeisv", "meid", "unknown")
    data = check(GOOD).to_dict()
    assert data == {"input": GOOD, "value": GOOD, "kind": "imei", "valid": True,
                    "reason": None, "tac": "35209900", "code": "ok", "suggestion": None}


def test_check_is_frozen():
    result = check(GOOD)
    assert isinstance(result, ImeiCheck)
    with pytest.raises(AttributeError):
        result.valid = False


# -- dual SIM -----------------------------------------------------------------


def test_pair_checks_both():
    first, second = check_pair(GOOD, "490154203237518")
    assert first.valid and second.valid


def test_pair_without_second_imei():
    assert check_pair(GOOD, None) == (check(GOOD), None)
    assert check_pair(GOOD, " ")[1] is None


@pytest.mark.parametrize("same", [GOOD, "35-209900-176148-1", " 35 209900 176148 1 "])
def test_pair_refuses_the_same_imei_twice(same):
    first, second = check_pair(GOOD, same)
    assert first.valid is True
    assert second.valid is False
    assert second.code == "same_as_imei1"
    assert "same as the first" in second.reason


def test_pair_reports_an_invalid_second_imei():
    first, second = check_pair(GOOD, "490154203237519")
    assert first.valid and not second.valid
    assert second.code == "bad_check_digit"


def test_pair_reports_an_invalid_first_imei():
    first, second = check_pair("35209900176148", "490154203237518")
    assert first.code == "no_check_digit" and second.valid


# -- masking and serial numbers -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [(GOOD, "35209900***1481"), ("35-209900-176148-1", "35209900***1481"),
     ("1234", "*234"), ("", "")],
)
def test_mask(value, masked):
    assert mask(value) == masked


@pytest.mark.parametrize(
    ("typed", "serial"),
    [
        ("r58m12abcde", "R58M12ABCDE"),
        ("  R58M 12AB CDE ", "R58M12ABCDE"),
        ("DMPXK-1234", "DMPXK-1234"),
        ("ABCD", "ABCD"),
        ("A" * 40, "A" * 40),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_normalise_serial(typed, serial):
    assert normalise_serial(typed) == serial


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "No serial number"),
        ("   ", "No serial number"),
        ("ABC", "4 to 40"),
        ("A" * 41, "4 to 40"),
        ("ABC/123", "'/'"),
        ("ABC_123", "'_'"),
        ("SÉRIE123", "'É'"),
    ],
)
def test_normalise_serial_refuses(typed, words):
    with pytest.raises(ValueError) as excinfo:
        normalise_serial(typed)
    assert words in str(excinfo.value)
