"""Job search (workshop/jobs/search.py): the last four digits of a phone, and full text
over customer names and fault text, kept by the transaction that writes the row."""

from __future__ import annotations

from models import Job, User, db
from tests import factories
from workshop.jobs import fulltext
from workshop.jobs import search as job_search


def _numbers(actor, q):
    rows, _ = job_search.search(actor, q=q)
    return [job.number for job in rows]


def _setup(staff):
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    anna = factories.job(sp, customer=factories.customer(sp, name="Anna Berg", phone="+4930123456"),
                         fault_description="Cracked screen, touch still works")
    wang = factories.job(sp, customer=factories.customer(sp, name="王芳", phone="+8613800138000"),
                         fault_description="屏幕碎了 摔过一次")
    li = factories.job(sp, customer=factories.customer(sp, name="李雷", phone="+8613912345678"),
                       fault_description="Battery drains in two hours")
    db.session.commit()
    return desk, anna, wang, li


def test_the_last_four_digits_of_a_phone_find_its_jobs(db, staff):
    desk, anna, wang, li = _setup(staff)
    assert _numbers(desk, "8000") == [wang.number]
    assert _numbers(desk, "5678") == [li.number]
    assert _numbers(desk, "3456") == [anna.number]
    assert _numbers(desk, "1234") == []  # the beginning of a number is not its end
    assert _numbers(desk, "139 1234") == [li.number]  # five digits or more: the beginning, as before


def test_the_last_four_digits_stay_at_the_callers_service_points(db, staff):
    desk, *_ = _setup(staff)
    other = db.session.get(User, staff["other_manager"])
    factories.job(other.service_point, created_by=other,
                  customer=factories.customer(other.service_point, name="Other", phone="+8613700008000"))
    db.session.commit()
    assert all(n.startswith("SZ01") for n in _numbers(desk, "8000"))


def test_any_word_of_a_name_finds_the_customer_s_jobs(db, staff):
    desk, anna, wang, _li = _setup(staff)
    assert _numbers(desk, "Berg") == [anna.number]  # not the first word: full text
    assert _numbers(desk, "berg anna") == [anna.number]  # every word, in any order
    assert _numbers(desk, "ber") == [anna.number]  # a word's beginning
    assert _numbers(desk, "王") == [wang.number]
    assert _numbers(desk, "Bergman") == []


def test_words_of_the_fault_text_find_the_job(db, staff):
    desk, anna, wang, li = _setup(staff)
    assert _numbers(desk, "screen") == [anna.number]
    assert _numbers(desk, "Cracked SCR") == [anna.number]
    assert _numbers(desk, "屏幕") == [wang.number]  # a Chinese run is one word: matched by its beginning
    assert _numbers(desk, "battery hours") == [li.number]
    assert _numbers(desk, "battery screen") == []
    assert _numbers(desk, "screen!!") == [anna.number]  # punctuation is not part of a word


def test_the_index_follows_edits_in_the_same_transaction(db, staff):
    desk, anna, _wang, li = _setup(staff)
    job = db.session.get(Job, li.id)
    job.fault_description = "Speaker crackles"
    anna_customer = db.session.get(Job, anna.id).customer
    anna_customer.name = "Anna Lindqvist"
    db.session.flush()  # not committed: the same transaction sees it
    assert _numbers(desk, "speaker") == [li.number]
    assert _numbers(desk, "battery") == []
    assert _numbers(desk, "lindqvist") == [anna.number]
    assert _numbers(desk, "berg") == []
    db.session.rollback()
    assert _numbers(desk, "battery") == [li.number]
    assert _numbers(desk, "berg") == [anna.number]


def test_full_text_pages_like_the_rest_of_the_list(db, staff):
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    jobs = [factories.job(sp, fault_description=f"Cracked screen number {i}") for i in range(5)]
    db.session.commit()
    rows, cursor = job_search.search(desk, q="screen", limit=2)
    assert [j.number for j in rows] == [jobs[4].number, jobs[3].number] and cursor == jobs[3].id
    rows, cursor = job_search.search(desk, q="screen", limit=2, after=cursor)
    assert [j.number for j in rows] == [jobs[2].number, jobs[1].number]


def test_words_worth_a_lookup():
    assert fulltext.words("Amy  Wong!") == ["amy", "wong"]
    assert fulltext.words("a b 王") == ["王"]  # one Latin letter begins too many words
    assert fulltext.words('"quoted" OR * NEAR(') == ["quoted", "or", "near"]  # no query syntax gets through
    assert fulltext.words("_") == []


def test_fault_text_beyond_the_recent_window_is_found(db, staff, monkeypatch):
    """PostgreSQL reads the newest ids first, then the whole history: both give the page."""
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    old = factories.job(sp, fault_description="Water damage on the board")
    newer = [factories.job(sp, fault_description="Cracked screen") for _ in range(4)]
    recent = factories.job(sp, fault_description="Water again")
    db.session.commit()
    monkeypatch.setattr(fulltext, "RECENT_WINDOW", 2)
    assert _numbers(desk, "water") == [recent.number, old.number]
    assert _numbers(desk, "screen")[:2] == [newer[3].number, newer[2].number]
    rows, cursor = job_search.search(desk, q="water", limit=1)
    assert [j.number for j in rows] == [recent.number]
    rows, _ = job_search.search(desk, q="water", limit=1, after=cursor)
    assert [j.number for j in rows] == [old.number]


def test_capped_histories_point_to_the_next_page(app, client, staff, token_for):
    """The IMEI check and the customer lookup stop at their caps and link the job list,
    which pages on from there."""
    from workshop.intake import api as intake_api
    from workshop.intake import take_in

    with app.app_context():
        sp = factories.service_point("SZ01")
        customer = factories.customer(sp, name="Repeat", phone="+8613500135000")
        jobs = [factories.job(sp, customer=customer, imei="356938035643809") for _ in range(4)]
        db.session.commit()
        numbers = [j.number for j in jobs][::-1]  # newest first
        desk = db.session.get(User, staff["receptionist"])
        db.session.commit()
    headers = token_for(desk)
    old_cap, old_lookup = take_in.HISTORY_CAP, intake_api.LOOKUP_JOBS
    take_in.HISTORY_CAP, intake_api.LOOKUP_JOBS = 3, 2
    try:
        imei = client.get("/api/v1/imei/356938035643809", headers=headers).json
        lookup = client.get("/api/v1/customers/lookup?phone=13500135000", headers=headers).json
    finally:
        take_in.HISTORY_CAP, intake_api.LOOKUP_JOBS = old_cap, old_lookup
    assert imei["jobs"] == numbers[:3] and imei["jobs_next"]
    rest = client.get(imei["jobs_next"], headers=headers).json
    assert [i["number"] for i in rest["items"]] == numbers[3:]
    assert lookup["jobs"] == numbers[:2] and lookup["jobs_next"]
    rest = client.get(lookup["jobs_next"], headers=headers).json
    assert [i["number"] for i in rest["items"]] == numbers[2:]
    whole = client.get("/api/v1/customers/lookup?phone=13500135000", headers=headers).json
    assert whole["jobs"] == numbers and whole["jobs_next"] is None


def _pages(desk, q) -> list[str]:
    pages, cursor = [], None
    for _ in range(6):
        rows, cursor = job_search.search(desk, q=q, limit=1, after=cursor)
        pages += [j.number for j in rows]
        if cursor is None:
            break
    return pages


def test_a_name_many_customers_share_gives_the_same_pages(db, staff, monkeypatch):
    """Words of a name are read newest first from the names' index
    (workshop/jobs/name_index.py); a lone letter walks the service point's newest
    jobs (NAME_WINDOW ids), then the customers' own index below them.  The pages are
    the same either way, however the window cuts the history, and stay at the
    caller's service points."""
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    other = db.session.get(User, staff["other_manager"])
    wangs = [factories.customer(sp, name="Wang Wei", phone=f"+861380013800{i}") for i in range(3)]
    oldest = factories.job(sp, customer=wangs[0])
    for i in range(4):
        factories.job(sp, customer=factories.customer(sp, name="Li Lei", phone=f"+861390013900{i}"))
    factories.job(other.service_point, created_by=other,
                  customer=factories.customer(other.service_point, name="Wang Wei", phone="+8613700137000"))
    middle = factories.job(sp, customer=wangs[1])
    newest = factories.job(sp, customer=wangs[2])
    db.session.commit()
    expected = [newest.number, middle.number, oldest.number]
    assert _numbers(desk, "Wang Wei") == expected
    assert _numbers(desk, "wei") == expected  # a word of the name
    assert _numbers(desk, "wei wa") == expected  # its words in any order, each by its beginning
    assert newest.number not in _numbers(desk, "Li Lei")
    assert _pages(desk, "wang") == expected
    for window in (50_000, 3, 2, 1):
        monkeypatch.setattr(job_search, "NAME_WINDOW", window)
        assert _numbers(desk, "W") == expected, window
        assert _pages(desk, "W") == expected, window


def test_text_that_can_mean_nothing_finds_nothing(db, staff):
    """Symbols and control characters are no number, phone, word or name: an empty page."""
    desk, *_ = _setup(staff)
    assert job_search.search(desk, q="®") == ([], None)
    assert job_search.search(desk, q="\x8a\x9b®") == ([], None)


def test_the_api_answers_an_empty_page_for_such_text(app, client, staff, token_for):
    """Found by schemathesis: q=𷥄\x8a\x9b® with no customer of that name was a 500."""
    with app.app_context():
        _setup(staff)
        desk = db.session.get(User, staff["receptionist"])
        db.session.commit()
    headers = token_for(desk)
    for q in ("%C2%AE", "%F0%B7%A5%84%C2%8A%C2%9B%C2%AE"):
        r = client.get(f"/api/v1/jobs?q={q}&engineer=engineer&limit=172", headers=headers)
        assert r.status_code == 200 and r.json["items"] == [] and r.json["next"] is None
