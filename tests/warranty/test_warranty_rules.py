"""Warranty policy rules (pure: no app, no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from workshop.warranty.engine import (
    COMPONENTS,
    EU24,
    PRESETS,
    REASONS,
    SANBAO,
    STATUSES,
    PolicyTerms,
    WarrantyCase,
    WarrantyDecision,
    add_months,
    assess,
    period_end,
    reason_text,
    service_dates,
)

IMEI = "352099001761481"
PURCHASED = date(2026, 11, 10)


def case(today, **facts) -> WarrantyCase:
    """A clean case: invoice with matching IMEI, no damage, bought PURCHASED."""
    values = {"component": "handset", "purchase_date": PURCHASED, "proof_kind": "invoice",
              "proof_imei": IMEI, "device_imei": IMEI}
    values.update(facts)
    return WarrantyCase(today=today, **values)


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- period arithmetic ----------------------------------------------------------


@pytest.mark.parametrize(
    ("purchase", "days", "end"),
    [
        ("2026-11-01", 7, "2026-11-08"),  # PRODUCT.md: day 1 is the 2nd
        ("2026-11-10", 7, "2026-11-17"),
        ("2026-11-10", 15, "2026-11-25"),
        ("2026-12-28", 7, "2027-01-04"),
        ("2028-02-25", 7, "2028-03-03"),  # across Feb 29
        ("2026-11-10", 0, "2026-11-10"),
    ],
)
def test_period_end_days(purchase, days, end):
    assert period_end(d(purchase), days=days) == d(end)


@pytest.mark.parametrize(
    ("purchase", "months", "end"),
    [
        ("2026-01-31", 1, "2026-02-28"),  # Jan 31 + 1 month
        ("2024-01-31", 1, "2024-02-29"),  # ... in a leap year
        ("2024-02-29", 12, "2025-02-28"),  # Feb 29 into a non-leap year
        ("2024-02-29", 48, "2028-02-29"),
        ("2026-05-31", 6, "2026-11-30"),  # 31st into a 30-day month
        ("2026-08-31", 3, "2026-11-30"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2026-11-10", 12, "2027-11-10"),
        ("2026-12-15", 3, "2027-03-15"),  # across the year end
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-01-15", 1, "2026-02-15"),
        ("2026-11-10", 24, "2028-11-10"),
        ("2026-11-10", 0, "2026-11-10"),
    ],
)
def test_period_end_months(purchase, months, end):
    assert period_end(d(purchase), months=months) == d(end)
    assert add_months(d(purchase), months) == d(end)


@pytest.mark.parametrize(
    "kwargs", [{}, {"days": 7, "months": 1}, {"days": -1}, {"months": -1}]
)
def test_period_end_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        period_end(PURCHASED, **kwargs)


# -- return and exchange windows (三包) --------------------------------------------


@pytest.mark.parametrize(
    ("today", "status", "remedies"),
    [
        ("2026-11-10", "return_window", ["refund", "exchange", "repair"]),  # purchase day
        ("2026-11-11", "return_window", ["refund", "exchange", "repair"]),  # day 1
        ("2026-11-17", "return_window", ["refund", "exchange", "repair"]),  # day 7
        ("2026-11-18", "exchange_window", ["exchange", "repair"]),  # day 8
        ("2026-11-25", "exchange_window", ["exchange", "repair"]),  # day 15
        ("2026-11-26", "in_warranty", ["repair"]),  # day 16
        ("2027-11-10", "in_warranty", ["repair"]),  # last day of 12 months
        ("2027-11-11", "expired", []),  # day after
        ("2029-01-01", "expired", []),
    ],
)
def test_handset_windows(today, status, remedies):
    decision = assess(SANBAO, case(d(today)))
    assert decision.status == status
    assert decision.remedies == remedies
    assert decision.chargeable is (status == "expired")
    assert decision.ends_on == date(2027, 11, 10)
    assert decision.policy == "sanbao"
    assert decision.reason_codes[-1] == status
    assert len(decision.reasons) == len(decision.reason_codes)


def test_return_window_reason_in_plain_words():
    decision = assess(SANBAO, case(date(2026, 11, 12)))
    assert decision.reasons == [
        ("Purchased 2026-11-10; within the 7-day return period (until 2026-11-17): "
        "refund, exchange or repair free of charge.")
    ]
    assert decision.reason_codes == ["return_window"]


def test_exchange_window_reason():
    decision = assess(SANBAO, case(date(2026, 11, 20)))
    assert decision.reasons == [
        ("Purchased 2026-11-10; within the 15-day exchange period (until 2026-11-25): "
        "exchange or repair free of charge.")
    ]


def test_in_warranty_and_expired_reasons():
    assert assess(SANBAO, case(date(2027, 1, 5))).reasons == [
        ("Purchased 2026-11-10; within the handset warranty (12 months, until 2027-11-10): "
        "repair free of charge.")
    ]
    assert assess(SANBAO, case(date(2027, 11, 11))).reasons == [
        ("Purchased 2026-11-10; the handset warranty (12 months) ended on 2027-11-10: "
        "the repair is chargeable.")
    ]


# -- component periods -------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "purchase", "last_day", "day_after"),
    [
        ("handset", "2026-11-10", "2027-11-10", "2027-11-11"),
        ("battery", "2026-11-10", "2027-05-10", "2027-05-11"),
        ("charger", "2026-11-10", "2027-11-10", "2027-11-11"),
        ("wired_headset", "2026-11-10", "2027-02-10", "2027-02-11"),
        # month ends
        ("battery", "2026-05-31", "2026-11-30", "2026-12-01"),  # 31st into a 30-day month
        ("wired_headset", "2026-08-31", "2026-11-30", "2026-12-01"),
        ("wired_headset", "2025-11-30", "2026-02-28", "2026-03-01"),
        ("handset", "2024-02-29", "2025-02-28", "2025-03-01"),  # leap day to non-leap year
        ("charger", "2024-02-29", "2025-02-28", "2025-03-01"),
        ("battery", "2023-08-31", "2024-02-29", "2024-03-01"),  # into a leap February
        ("wired_headset", "2026-12-31", "2027-03-31", "2027-04-01"),
    ],
)
def test_component_period_boundaries(component, purchase, last_day, day_after):
    facts = {"component": component, "purchase_date": d(purchase)}
    inside = assess(SANBAO, case(d(last_day), **facts))
    outside = assess(SANBAO, case(d(day_after), **facts))
    assert inside.status == "in_warranty"
    assert inside.chargeable is False
    assert inside.remedies == ["repair"]
    assert inside.ends_on == d(last_day)
    assert outside.status == "expired"
    assert outside.chargeable is True
    assert outside.remedies == []
    assert outside.ends_on == d(last_day)


@pytest.mark.parametrize("component", ["battery", "charger", "wired_headset"])
@pytest.mark.parametrize("today", ["2026-11-10", "2026-11-13", "2026-11-17", "2026-11-25"])
def test_return_and_exchange_windows_are_for_the_handset_only(component, today):
    decision = assess(SANBAO, case(d(today), component=component))
    assert decision.status == "in_warranty"
    assert decision.remedies == ["repair"]


def test_component_word_in_reason():
    decision = assess(SANBAO, case(date(2027, 1, 5), component="wired_headset"))
    assert "wired headset warranty (3 months, until 2027-02-10)" in decision.reasons[0]


# -- extension days ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "ends_on"),
    [(0, "2027-11-10"), (1, "2027-11-11"), (10, "2027-11-20"), (60, "2028-01-09")],
)
def test_extension_days_move_the_end(extension, ends_on):
    last = d(ends_on)
    inside = assess(SANBAO, case(last, extension_days=extension))
    outside = assess(SANBAO, case(date.fromordinal(last.toordinal() + 1), extension_days=extension))
    assert inside.ends_on == outside.ends_on == last
    assert inside.status == "in_warranty"
    assert outside.status == "expired"
    if extension:
        assert f"extended by {extension} days spent in repair" in inside.reasons[0]
        assert f"extended by {extension} days spent in repair" in outside.reasons[0]


def test_extension_days_do_not_move_return_or_exchange_windows():
    assert assess(SANBAO, case(date(2026, 11, 18), extension_days=10)).status == "exchange_window"
    assert assess(SANBAO, case(date(2026, 11, 26), extension_days=10)).status == "in_warranty"


def test_extension_applies_to_battery_too():
    decision = assess(SANBAO, case(date(2027, 5, 15), component="battery", extension_days=5))
    assert decision.ends_on == date(2027, 5, 15)
    assert decision.status == "in_warranty"


# -- proof of purchase -------------------------------------------------------------


def test_no_proof_is_chargeable():
    decision = assess(SANBAO, case(date(2026, 11, 12), proof_kind=None, proof_imei=None))
    assert decision.status == "no_proof"
    assert decision.chargeable is True
    assert decision.remedies == []
    assert decision.reason_codes == ["no_proof"]
    assert decision.reasons == [
        "No invoice or warranty card was shown: free service needs proof of purchase."
    ]
    assert decision.ends_on == date(2027, 11, 10)  # still informative


def test_no_proof_and_no_date():
    decision = assess(SANBAO, case(date(2026, 11, 12), proof_kind=None, purchase_date=None))
    assert decision.status == "no_proof"
    assert decision.reason_codes == ["no_proof"]
    assert decision.ends_on is None


def test_proof_without_purchase_date():
    decision = assess(SANBAO, case(date(2026, 11, 12), proof_kind="warranty_card",
                                   purchase_date=None))
    assert decision.status == "no_proof"
    assert decision.chargeable is True
    assert decision.reason_codes == ["no_purchase_date"]
    assert decision.reasons == [
        "The warranty card shows no purchase date, so the warranty period cannot be worked out."
    ]
    assert decision.ends_on is None


@pytest.mark.parametrize(("kind", "words"), [("invoice", "invoice"), ("warranty_card", "warranty card")])
def test_proof_imei_mismatch(kind, words):
    decision = assess(SANBAO, case(date(2026, 11, 12), proof_kind=kind,
                                   proof_imei="490154203237518"))
    assert decision.status == "no_proof"
    assert decision.chargeable is True
    assert decision.remedies == []
    assert decision.reason_codes == ["imei_mismatch"]
    assert decision.reasons == [
        (f"The IMEI on the {words} (490154203237518) does not match the handset "
        f"({IMEI}): it is not proof of purchase for this handset.")
    ]


@pytest.mark.parametrize(
    "proof_imei",
    ["35-209900-176148-1", " 35 209900 176148 1 ", "35209900176148", "3520990017614823"],
)
def test_proof_imei_matches_in_any_format(proof_imei):
    decision = assess(SANBAO, case(date(2026, 11, 12), proof_imei=proof_imei))
    assert decision.status == "return_window"
    assert decision.reason_codes == ["return_window"]


def test_proof_imei_may_be_the_second_imei_of_a_dual_sim_handset():
    decision = assess(SANBAO, case(date(2027, 1, 5), proof_imei="490154203237518",
                                   device_imei2="490154203237518"))
    assert decision.status == "in_warranty"
    mismatch = assess(SANBAO, case(date(2027, 1, 5), proof_imei="356938035643809",
                                   device_imei2="490154203237518"))
    assert mismatch.status == "no_proof"
    assert f"({IMEI} / 490154203237518)" in mismatch.reasons[0]


@pytest.mark.parametrize("proof_imei", [None, "", "  "])
def test_proof_without_imei_is_accepted_with_a_note(proof_imei):
    decision = assess(SANBAO, case(date(2027, 1, 5), proof_imei=proof_imei))
    assert decision.status == "in_warranty"
    assert decision.chargeable is False
    assert decision.reason_codes == ["proof_without_imei", "in_warranty"]
    assert decision.reasons[0] == (
        "The invoice carries no IMEI; accepted as proof of purchase, but it could not be "
        "matched to the handset."
    )


def test_handset_without_imei_is_accepted_with_a_note():
    decision = assess(SANBAO, case(date(2027, 1, 5), device_imei=None))
    assert decision.status == "in_warranty"
    assert decision.reason_codes == ["imei_not_checked", "in_warranty"]


def test_policy_without_proof_requirement():
    terms = PolicyTerms.from_mapping({**SANBAO.as_mapping(), "code": "brand", "name": "Brand",
                                      "proof_required": False})
    decision = assess(terms, case(date(2027, 1, 5), proof_kind=None))
    assert decision.status == "in_warranty"
    undated = assess(terms, case(date(2027, 1, 5), proof_kind=None, purchase_date=None))
    assert undated.status == "no_proof"
    assert undated.reason_codes == ["no_purchase_date"]


# -- void ----------------------------------------------------------------------------

VOID_CAUSES = [
    ({"liquid_damage": True}, "liquid_damage",
     "Liquid damage found: misuse is not covered by the warranty."),
    ({"physical_damage": True}, "physical_damage",
     "Physical damage found (dropped or crushed): misuse is not covered by the warranty."),
    ({"seals_intact": False}, "seals_broken",
     "The seals are broken or tampered with: an opened handset is not covered by the warranty."),
    ({"unauthorised_repair": True}, "unauthorised_repair",
     ("The handset has been repaired or opened by someone not authorised: it is no longer "
     "covered by the warranty.")),
    ({"documents_altered": True}, "documents_altered",
     "The proof of purchase has been altered: the warranty cannot be honoured."),
]


@pytest.mark.parametrize(("facts", "code", "reason"), VOID_CAUSES,
                         ids=[c[1] for c in VOID_CAUSES])
@pytest.mark.parametrize("today", ["2026-11-12", "2026-11-20", "2027-01-05", "2028-01-01"])
def test_each_void_cause(facts, code, reason, today):
    decision = assess(SANBAO, case(d(today), **facts))
    assert decision.status == "void"
    assert decision.chargeable is True
    assert decision.remedies == []
    assert decision.reason_codes == [code]
    assert decision.reasons == [reason]
    assert decision.ends_on == date(2027, 11, 10)


def test_all_void_causes_are_listed_together():
    facts = {}
    for extra, _, _ in VOID_CAUSES:
        facts.update(extra)
    decision = assess(SANBAO, case(date(2026, 11, 12), **facts))
    assert decision.status == "void"
    assert decision.chargeable is True
    assert decision.reason_codes == [c[1] for c in VOID_CAUSES]
    assert decision.reasons == [c[2] for c in VOID_CAUSES]


def test_void_and_no_proof_reasons_both_shown():
    decision = assess(SANBAO, case(date(2027, 1, 5), liquid_damage=True, proof_kind=None))
    assert decision.status == "void"
    assert decision.reason_codes == ["liquid_damage", "no_proof"]
    mismatch = assess(SANBAO, case(date(2027, 1, 5), physical_damage=True,
                                   proof_imei="490154203237518"))
    assert mismatch.reason_codes == ["physical_damage", "imei_mismatch"]


# -- repeat fault ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prior", "today", "status", "remedies", "repeat"),
    [
        (0, "2027-01-05", "in_warranty", ["repair"], False),
        (1, "2027-01-05", "in_warranty", ["repair"], False),
        (2, "2027-01-05", "in_warranty", ["exchange", "repair"], True),
        (3, "2027-11-10", "in_warranty", ["exchange", "repair"], True),
        (2, "2026-11-20", "exchange_window", ["exchange", "repair"], True),
        (2, "2026-11-12", "return_window", ["refund", "exchange", "repair"], True),
        (2, "2027-11-11", "expired", [], False),  # outside the warranty: no exchange
    ],
)
def test_repeat_fault_exchange(prior, today, status, remedies, repeat):
    decision = assess(SANBAO, case(d(today), prior_repairs_same_fault=prior))
    assert decision.status == status
    assert decision.remedies == remedies
    assert ("repeat_fault" in decision.reason_codes) is repeat
    if repeat:
        assert decision.reasons[-1] == (
            f"Repaired {prior} times before for the same fault within the warranty: the "
            "customer may choose an exchange."
        )


def test_repeat_fault_not_for_void_or_no_proof():
    assert assess(SANBAO, case(date(2027, 1, 5), prior_repairs_same_fault=2,
                               liquid_damage=True)).remedies == []
    assert assess(SANBAO, case(date(2027, 1, 5), prior_repairs_same_fault=2,
                               proof_kind=None)).remedies == []


def test_repeat_fault_can_be_switched_off():
    terms = PolicyTerms(code="x", name="x", repeat_fault_exchange_after=None)
    decision = assess(terms, case(date(2027, 1, 5), prior_repairs_same_fault=5))
    assert decision.remedies == ["repair"]


# -- re-repair (返修) under our own repair warranty ----------------------------------------


def test_rerepair_is_free_after_the_warranty_expired():
    decision = assess(SANBAO, case(date(2028, 1, 5), rerepair=True))
    assert decision.status == "expired"
    assert decision.chargeable is False
    assert decision.remedies == ["repair"]
    assert decision.reason_codes == ["expired", "rerepair"]
    assert decision.reasons[-1] == (
        "Back within our 90-day repair warranty of an earlier job: the re-repair is free "
        "of charge."
    )


def test_rerepair_is_free_without_proof():
    decision = assess(SANBAO, case(date(2028, 1, 5), rerepair=True, proof_kind=None,
                                   purchase_date=None))
    assert decision.status == "no_proof"
    assert decision.chargeable is False
    assert decision.remedies == ["repair"]
    assert decision.reason_codes == ["no_proof", "rerepair"]


def test_rerepair_within_warranty_keeps_the_warranty_remedies():
    decision = assess(SANBAO, case(date(2026, 11, 20), rerepair=True))
    assert decision.status == "exchange_window"
    assert decision.remedies == ["exchange", "repair"]
    assert decision.chargeable is False
    assert decision.reason_codes == ["exchange_window", "rerepair"]


def test_rerepair_ignores_seals_we_broke_ourselves():
    decision = assess(SANBAO, case(date(2028, 1, 5), rerepair=True, seals_intact=False))
    assert decision.status == "expired"
    assert decision.chargeable is False
    assert decision.reason_codes == ["expired", "rerepair_seals", "rerepair"]


@pytest.mark.parametrize(
    "facts",
    [{"liquid_damage": True}, {"physical_damage": True}, {"unauthorised_repair": True},
     {"documents_altered": True}],
)
def test_rerepair_is_voided_by_new_misuse(facts):
    decision = assess(SANBAO, case(date(2028, 1, 5), rerepair=True, **facts))
    assert decision.status == "void"
    assert decision.chargeable is True
    assert decision.remedies == []
    assert decision.reason_codes[-1] == "rerepair_void"


def test_rerepair_uses_the_policy_repair_warranty_days():
    terms = PolicyTerms(code="x", name="x", repair_warranty_days=180)
    decision = assess(terms, case(date(2028, 1, 5), rerepair=True))
    assert "our 180-day repair warranty" in decision.reasons[-1]


# -- EU24 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "today", "status"),
    [
        ("handset", "2026-11-10", "in_warranty"),  # no return window
        ("handset", "2026-11-12", "in_warranty"),
        ("handset", "2026-11-20", "in_warranty"),  # no exchange window
        ("handset", "2028-11-10", "in_warranty"),
        ("handset", "2028-11-11", "expired"),
        ("battery", "2028-11-10", "in_warranty"),
        ("battery", "2028-11-11", "expired"),
        ("charger", "2028-11-10", "in_warranty"),
        ("wired_headset", "2028-11-10", "in_warranty"),
        ("wired_headset", "2028-11-11", "expired"),
    ],
)
def test_eu24(component, today, status):
    decision = assess(EU24, case(d(today), component=component))
    assert decision.policy == "eu24"
    assert decision.status == status
    assert decision.ends_on == date(2028, 11, 10)
    assert decision.remedies == ([] if status == "expired" else ["repair"])


def test_eu24_leap_day():
    decision = assess(EU24, case(date(2026, 2, 28), purchase_date=date(2024, 2, 29)))
    assert decision.ends_on == date(2026, 2, 28)
    assert decision.status == "in_warranty"


# -- input checks -------------------------------------------------------------------------


def test_unknown_component_is_refused():
    with pytest.raises(ValueError, match="no warranty period for 'screen'"):
        assess(SANBAO, case(date(2027, 1, 5), component="screen"))


def test_purchase_after_today_is_refused():
    with pytest.raises(ValueError, match="after today"):
        assess(SANBAO, case(date(2026, 11, 9)))


@pytest.mark.parametrize(
    "facts", [{"proof_kind": "receipt"}, {"extension_days": -1}, {"prior_repairs_same_fault": -1}]
)
def test_case_refuses_bad_facts(facts):
    with pytest.raises(ValueError):
        case(date(2027, 1, 5), **facts)


def test_empty_proof_kind_means_none():
    assert case(date(2027, 1, 5), proof_kind="").proof_kind is None


# -- decision shape ----------------------------------------------------------------------


def test_decision_to_dict_is_json_ready():
    decision = assess(SANBAO, case(date(2026, 11, 12)))
    data = decision.to_dict()
    assert data == {
        "policy": "sanbao",
        "status": "return_window",
        "remedies": ["refund", "exchange", "repair"],
        "chargeable": False,
        "reasons": list(decision.reasons),
        "reason_codes": ["return_window"],
        "reason_args": [{"purchased": "2026-11-10", "days": 7, "until": "2026-11-17"}],
        "ends_on": "2027-11-10",
    }
    json.dumps(data)
    assert assess(SANBAO, case(date(2027, 1, 5), purchase_date=None)).to_dict()["ends_on"] is None


def test_decision_is_frozen():
    decision = assess(SANBAO, case(date(2026, 11, 12)))
    assert isinstance(decision, WarrantyDecision)
    with pytest.raises(AttributeError):
        decision.status = "void"


def test_statuses_are_the_contract_ones():
    assert STATUSES == ("return_window", "exchange_window", "in_warranty", "expired",
                        "void", "no_proof")


def test_every_reason_code_has_a_template():
    codes = set()
    for today in ("2026-11-12", "2026-11-20", "2027-01-05", "2028-01-05"):
        for facts in ({}, {"liquid_damage": True, "physical_damage": True, "seals_intact": False,
                           "unauthorised_repair": True, "documents_altered": True},
                      {"proof_kind": None}, {"proof_imei": "490154203237518"},
                      {"rerepair": True, "seals_intact": False}, {"prior_repairs_same_fault": 2}):
            decision = assess(SANBAO, case(d(today), **facts))
            assert decision.status in STATUSES
            codes.update(decision.reason_codes)
    assert codes <= set(REASONS)


# -- policy terms as data ------------------------------------------------------------------


def test_sanbao_preset():
    assert SANBAO.code == "sanbao"
    assert SANBAO.return_days == 7
    assert SANBAO.exchange_days == 15
    assert dict(SANBAO.component_months) == {"handset": 12, "battery": 6, "charger": 12,
                                             "wired_headset": 3}
    assert SANBAO.proof_required is True
    assert SANBAO.restart_on_exchange is False
    assert SANBAO.promise_days == 7
    assert SANBAO.loaner_after_days == 7
    assert SANBAO.exchange_after_days == 30
    assert SANBAO.repair_warranty_days == 90
    assert SANBAO.repeat_fault_exchange_after == 2
    assert set(SANBAO.component_months) == set(COMPONENTS)


def test_eu24_preset():
    assert EU24.code == "eu24"
    assert EU24.return_days is None and EU24.exchange_days is None
    assert dict(EU24.component_months) == dict.fromkeys(COMPONENTS, 24)
    assert PRESETS == {"sanbao": SANBAO, "eu24": EU24}


@pytest.mark.parametrize("terms", [SANBAO, EU24], ids=["sanbao", "eu24"])
def test_terms_round_trip(terms):
    data = terms.as_mapping()
    json.dumps(data, ensure_ascii=False)
    assert isinstance(data["component_months"], dict)
    assert PolicyTerms.from_mapping(data) == terms


def test_from_mapping_takes_a_database_row():
    row = {"id": 3, "created_at": "2026-01-01", "code": "brandx", "name": "Brand X",
           "return_days": "7", "exchange_days": None, "component_months": {"handset": "18"},
           "proof_required": "false", "promise_days": 5.0}
    terms = PolicyTerms.from_mapping(row)
    assert terms.return_days == 7
    assert terms.exchange_days is None
    assert dict(terms.component_months) == {"handset": 18}
    assert terms.proof_required is False
    assert terms.promise_days == 5
    assert terms.loaner_after_days == 7  # default
    decision = assess(terms, case(date(2028, 5, 10), proof_kind=None))
    assert decision.status == "in_warranty"
    assert decision.ends_on == date(2028, 5, 10)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "no code"},
        {"code": "x"},
        {"code": "x", "name": "x", "return_days": -1},
        {"code": "x", "name": "x", "return_days": "seven"},
        {"code": "x", "name": "x", "return_days": 7.5},
        {"code": "x", "name": "x", "return_days": True},
        {"code": "x", "name": "x", "component_months": {}},
        {"code": "x", "name": "x", "component_months": {"handset": 0}},
        {"code": "x", "name": "x", "promise_days": None},
    ],
)
def test_from_mapping_refuses_bad_terms(data):
    with pytest.raises(ValueError):
        PolicyTerms.from_mapping(data)


def test_terms_cannot_be_changed():
    with pytest.raises(AttributeError):
        SANBAO.return_days = 30
    with pytest.raises(TypeError):
        SANBAO.component_months["handset"] = 99


def test_terms_copy_the_months_they_are_given():
    months = {"handset": 12}
    terms = PolicyTerms(code="x", name="x", component_months=months)
    months["handset"] = 1
    assert terms.component_months["handset"] == 12


# -- service dates -------------------------------------------------------------------------


def test_service_dates_sanbao():
    dates = service_dates(SANBAO, date(2026, 11, 22))
    assert dates.received_on == date(2026, 11, 22)
    assert dates.promised_by == date(2026, 11, 29)
    assert dates.loaner_due == date(2026, 11, 29)
    assert dates.exchange_due == date(2026, 12, 22)
    assert dates.to_dict() == {"received_on": "2026-11-22", "promised_by": "2026-11-29",
                               "loaner_due": "2026-11-29", "exchange_due": "2026-12-22"}


def test_service_dates_across_month_and_year_end():
    dates = service_dates(SANBAO, date(2026, 12, 28))
    assert dates.promised_by == date(2027, 1, 4)
    assert dates.exchange_due == date(2027, 1, 27)


def test_service_dates_follow_the_policy():
    terms = PolicyTerms(code="x", name="x", promise_days=3, loaner_after_days=None,
                        exchange_after_days=None)
    dates = service_dates(terms, date(2026, 11, 22))
    assert dates.promised_by == date(2026, 11, 25)
    assert dates.loaner_due is None and dates.exchange_due is None
    assert dates.to_dict()["loaner_due"] is None
    assert dates.warnings(date(2026, 12, 31)) == [("promise", date(2026, 11, 25))]


@pytest.mark.parametrize(
    ("today", "codes"),
    [
        ("2026-11-22", []),
        ("2026-11-26", []),  # 3 days before the promise
        ("2026-11-27", ["promise", "loaner"]),  # 2 days before
        ("2026-11-29", ["promise", "loaner"]),  # due today
        ("2026-12-05", ["promise", "loaner"]),  # overdue
        ("2026-12-20", ["promise", "loaner", "exchange"]),
    ],
)
def test_service_date_warnings(today, codes):
    dates = service_dates(SANBAO, date(2026, 11, 22))
    assert [code for code, _ in dates.warnings(d(today))] == codes


def test_service_date_warnings_window():
    dates = service_dates(SANBAO, date(2026, 11, 22))
    assert dates.warnings(date(2026, 11, 22), within_days=7) == [
        ("promise", date(2026, 11, 29)), ("loaner", date(2026, 11, 29))]
    assert dates.warnings(date(2026, 11, 28), within_days=0) == []


# -- reasons kept as codes and values, to be said in another language --------------------

#: Cases between them giving every reason code (and every component and proof word).
REASON_CASES = [
    case(date(2026, 11, 12), liquid_damage=True, physical_damage=True, seals_intact=False,
         unauthorised_repair=True, documents_altered=True),
    case(date(2027, 1, 5), proof_kind=None, purchase_date=None),
    case(date(2027, 1, 5), purchase_date=None),
    case(date(2027, 1, 5), proof_kind="warranty_card", proof_imei="490154203237518",
         device_imei2="356938035643809"),
    case(date(2027, 1, 5), proof_kind="warranty_card", proof_imei=None, component="battery",
         extension_days=5),
    case(date(2027, 1, 5), device_imei=None, component="wired_headset"),
    case(date(2026, 11, 12)),
    case(date(2026, 11, 20)),
    case(date(2028, 1, 1), component="charger", extension_days=3),
    case(date(2027, 1, 5), prior_repairs_same_fault=2),
    case(date(2028, 1, 5), rerepair=True, seals_intact=False),
    case(date(2028, 1, 5), rerepair=True, liquid_damage=True),
]
#: No proof and no date under a policy that needs no proof: "proof of purchase" in words.
NO_PROOF_NEEDED = PolicyTerms(code="noproof", name="No proof needed", proof_required=False)
REASON_CASES_NO_PROOF_NEEDED = [case(date(2027, 1, 5), proof_kind=None, purchase_date=None)]


def reason_decisions():
    return ([assess(SANBAO, c) for c in REASON_CASES]
            + [assess(NO_PROOF_NEEDED, c) for c in REASON_CASES_NO_PROOF_NEEDED])


def test_reason_cases_cover_every_reason_code():
    codes = {code for decision in reason_decisions() for code in decision.reason_codes}
    assert codes == set(REASONS) - {"extended"}
    assert reason_decisions()[-1].reasons == [
        "The proof of purchase shows no purchase date, so the warranty period cannot be worked out."]


@pytest.mark.parametrize("decision", reason_decisions(), ids=lambda d: "+".join(d.reason_codes))
def test_reason_codes_and_args_render_the_same_sentences(decision):
    assert len(decision.reason_args) == len(decision.reason_codes) == len(decision.reasons)
    again = [reason_text(code, args) for code, args in zip(decision.reason_codes, decision.reason_args,
                                                            strict=True)]
    assert again == decision.reasons
    data = json.loads(json.dumps(decision.to_dict()))
    assert [reason_text(c, a) for c, a in zip(data["reason_codes"], data["reason_args"], strict=True)] == \
        decision.reasons


def test_reason_args_hold_codes_not_words():
    decision = assess(SANBAO, case(date(2027, 1, 5), proof_kind="warranty_card", proof_imei=None,
                                   component="wired_headset", extension_days=5))
    assert decision.reason_codes == ["proof_without_imei", "in_warranty"]
    assert decision.reason_args == [
        {"proof": "warranty_card"},
        {"purchased": "2026-11-10", "component": "wired_headset", "months": 3, "until": "2027-02-15",
         "extended_days": 5},
    ]
    assert decision.reasons[-1] == (
        "Purchased 2026-11-10; within the wired headset warranty (3 months, until 2027-02-15, "
        "extended by 5 days spent in repair): repair free of charge.")
