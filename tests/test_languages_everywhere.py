"""Every message a user can see in both languages (issue 14): domain refusals, the
warranty engine's, CSV import reasons, API validation problems (by Accept-Language) and
the history notes the workshop writes; plus two checks that fail when a new message
slips through untranslated."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from models import JobEvent, User, WorkflowError, db
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}


# -- the catalogue is complete -------------------------------------------------------------


def _extracted() -> set[tuple[str | None, str]]:
    found = set()
    method_map = [("models/**.py", "python"), ("workshop/**.py", "python"),
                  ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    # Babel skips folders starting with "_" unless told otherwise: templates/_partials
    # (the navigation bar) and templates/_macros are read too, as workshop/i18n.py's
    # pybabel command reads them (--ignore-dirs ".* __pycache__").
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS,
            directory_filter=lambda path: Path(path).name not in {"__pycache__", ".venv"}
            and not Path(path).name.startswith(".")):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return found


def test_every_message_in_the_code_has_a_chinese_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and m.string and (m.string if isinstance(m.string, str) else m.string[0])}
    missing = sorted(_extracted() - translated, key=lambda k: (k[0] or "", k[1]))
    assert not missing, f"{len(missing)} message(s) have no zh_Hans translation, e.g. {missing[:5]}"


DOMAIN_ERRORS = {"DomainError", "ValidationError", "NotFound", "PermissionDenied", "Conflict", "WorkflowError",
                 "StockShortage", "VerificationFailed"}
TRANSLATING = {"_", "gettext", "ngettext", "pgettext", "_l", "lazy_gettext", "lazy_pgettext"}


def _plain_text_refusals(path: Path) -> list[str]:
    """``raise SomeDomainError("English" or f"...")``: a message the reader cannot get in
    their language."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in DOMAIN_ERRORS or not node.exc.args:
            continue
        first = node.exc.args[0]
        if isinstance(first, ast.JoinedStr) or (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        for keyword in node.exc.keywords:
            if keyword.arg == "errors" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    items = value.elts if isinstance(value, ast.List) else [value]
                    for item in items:
                        if isinstance(item, ast.JoinedStr) or (isinstance(item, ast.Constant)
                                                               and isinstance(item.value, str)):
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno} (errors)")
    return found


def test_no_domain_error_is_raised_with_untranslated_text():
    found = []
    for folder in ("workshop", "models"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found += _plain_text_refusals(path)
    assert not found, "raise with a plain English message (wrap it in gettext): " + ", ".join(found)


# -- domain refusals and the engine's, in Chinese ----------------------------------------------


def test_a_sample_of_domain_refusals_comes_out_in_chinese(app, staff):
    from workshop.core import csvio
    from workshop.intake.devices.tac_csv import TacCsvReader
    from workshop.warranty import policies
    from workshop.warranty.engine import PolicyTerms, TermsError

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        manager = db.session.get(User, staff["manager"])
        sp = factories.service_point("SZ01")
        job = factories.job(sp, customer=factories.customer(sp, phone="+8613900003333"))
        db.session.flush()
        # A workflow refusal names the statuses in words, not codes.
        with pytest.raises(WorkflowError) as refused:
            job.check_move("ready", manager)
        assert refused.value.message == "状态为“已受理”的维修单不能改为“待取机”。可改为：检测中, 已取消。"
        # The warranty engine's refusal, said beside the field.
        with pytest.raises(TermsError) as terms:
            PolicyTerms.from_mapping({"code": "x", "name": "x", "promise_days": "soon"})
        assert policies.terms_message(terms.value) == "必须是整数，而不是“soon”。"
        with pytest.raises(Exception) as saved:
            policies.save(manager, {"code": "brand-x", "name": "Brand X", "return_days": "-1"})
        assert saved.value.errors["return_days"] == ["必须是整数，而不是“-1”。"]
        # CSV import reasons.
        reader = TacCsvReader(io.StringIO("tac,brand,model\n1234567,Apple,iPhone\n35209900,,\n"))
        reasons = [row.reason for row in reader if hasattr(row, "reason")]
        assert reasons == ["TAC '1234567' 只有 7 位；TAC 应为 8 位（是否在电子表格中丢失了开头的 0？）。",
                           "品牌和型号为空。"]
        with pytest.raises(csvio.CsvEncodingError) as undecodable:
            csvio.decode(b"sku,name\n\xff\xfe\xfd\xfc,x\n")
        assert "不是 UTF-8、GB18030 或 UTF-16 文本" in str(undecodable.value)
        db.session.rollback()


# -- the API answers in the client's language --------------------------------------------------


@pytest.mark.parametrize(("language", "required", "one_of"), [
    ("zh-CN", "必填字段缺少数据。", "必须是以下之一："),
    ("en", "Missing data for required field.", "Must be one of: "),
])
def test_an_api_422_speaks_the_accept_language(app, staff, token_for, language, required, one_of):
    with app.app_context():
        sp = factories.service_point("SZ01")
        number = factories.job(sp, customer=factories.customer(sp, phone="+8613900004444")).number
        db.session.commit()
        manager = db.session.get(User, staff["manager"])
    headers = {**token_for(manager), "Accept-Language": language}
    client = app.test_client()
    r = client.post(f"/api/v1/jobs/{number}/status", json={}, headers=headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["errors"]["to"] == [required]
    r = client.post(f"/api/v1/jobs/{number}/status", json={"to": "fixed"}, headers=headers)
    assert r.status_code == 422 and r.json["errors"]["to"][0].startswith(one_of)
    if language.startswith("zh"):
        assert r.json["title"] == "输入无法处理" and r.json["detail"] == "部分字段无效；详见 errors。"


# -- history notes: stored in English, shown in the reader's language ---------------------------


def test_history_notes_are_shown_in_chinese_and_old_rows_keep_their_text(app, client, auth, staff):
    from tests.intake.test_intake_views import form_data

    with app.app_context():
        db.session.get(User, staff["receptionist"]).locale = "zh_Hans"
        db.session.commit()
    auth.login("receptionist")
    assert client.post("/intake", data=form_data(token="lang-1")).status_code == 302
    with app.app_context():
        event = db.session.scalar(db.select(JobEvent).order_by(JobEvent.id.desc()).limit(1))
        number = event.job.number
        # Stored in English, with its code: the API and exports read the same words as before.
        assert event.note == "Taken in at the front desk."
        assert event.data["note_code"] == "taken_in"
        # A row written before notes had codes.
        event.job.add_event("note", None, note="Customer called about the screen.")
        db.session.commit()
    page = client.get(f"/jobs/{number}").get_data(as_text=True)
    timeline = page.split('id="timeline"', 1)[1]
    assert "前台受理。" in timeline and "Taken in at the front desk." not in timeline
    assert "Customer called about the screen." in timeline
    with app.test_request_context(), force_locale("zh_Hans"):
        from workshop.jobs import notes

        said = notes.note("qc_failed", checks=["cameras", "charging"], extra="slow charge")
        assert str(said) == "QC failed: Cameras and flash, Charges by cable. slow charge"
        assert notes.say(said.code, said.args) == "质检未通过：摄像头及闪光灯, 有线充电正常。 slow charge"


def test_a_pages_own_api_call_speaks_the_users_choice_and_a_token_client_its_accept_language(
        app, client, auth, staff, token_for):
    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
        user.locale = "zh_Hans"
        db.session.commit()
        user = db.session.get(User, staff["receptionist"])
    body = {"device": {"imei": "352099001761481"}, "proof": None, "fault": {"component": "handset"}}
    # The intake page (the browser session) asks in English headers; the user chose Chinese.
    auth.login("receptionist")
    import re

    page = client.get("/intake").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    headers = {"Accept-Language": "en-US,en;q=0.9", "X-CSRFToken": csrf}
    r = client.post("/api/v1/intake/preview", json=body, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["warranty"]["reasons_local"] == ["未出示发票或保卡：免费服务须凭购机凭证。"]
    # A program with a token: its Accept-Language.
    r = app.test_client().post("/api/v1/intake/preview", json=body,
                               headers={**token_for(user), "Accept-Language": "en"})
    assert r.json["warranty"]["reasons_local"][0].startswith("No invoice or warranty card was shown")


def test_stock_movement_notes_the_ledger_writes_are_said_in_the_readers_language(app):
    from types import SimpleNamespace

    from workshop.parts.web import stock_note

    def move(note, **ids):
        return SimpleNamespace(note=note, defective_part_id=ids.get("defective"), stock_take_id=ids.get("take"),
                               transfer_id=ids.get("transfer"))

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert stock_note(move("1 to the defective bin: cracked on arrival", defective=3)) == \
            "1 件放入故障件箱: cracked on arrival"
        assert stock_note(move("count A-03-2: 12 counted", take=1)) == "盘点 A-03-2：清点 12 件"
        assert stock_note(move("count", take=1)) == "盘点"
        assert stock_note(move("T000001 to SZ02", transfer=1)) == "T000001 调往 SZ02"
        assert stock_note(move("T000001 cancelled: wrong part", transfer=1)) == "T000001 已取消: wrong part"
        # Someone's own words, and a note on a plain receipt, are shown as typed.
        assert stock_note(move("count them again")) == "count them again"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert stock_note(move("T000001 from SZ01", transfer=1)) == "T000001 from SZ01"


def test_a_complaints_system_notes_are_said_in_the_readers_language(app):
    from workshop.aftercare.words import system_note

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert system_note("A critical complaint is handled by a manager from the start.") == "重大投诉自登记起由经理处理。"
        assert system_note("Unhappy follow-up answer (2/5): screen flickers again") == \
            "回访不满意（2/5 分）: screen flickers again"
        assert system_note("Unhappy follow-up answer (1/5).") == "回访不满意（1/5 分）"
        assert system_note("The customer called back.") == "The customer called back."
