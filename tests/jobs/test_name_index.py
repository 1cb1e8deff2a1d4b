"""The index of customers' names by the beginnings of their words
(workshop/jobs/name_index.py): what a name gives, how the index follows new jobs,
renamed customers and removed jobs in the same transaction, and that rebuilding it
from scratch gives what the flushes wrote."""

from __future__ import annotations

from sqlalchemy import select

from models import JOB_NAME_PREFIXES, Job, User, db
from tests import factories
from workshop.jobs import name_index
from workshop.jobs import search as job_search


def _numbers(actor, q):
    rows, _ = job_search.search(actor, q=q)
    return [job.number for job in rows]


def _rows() -> set[tuple[int, str, int]]:
    return {tuple(row) for row in db.session.execute(select(JOB_NAME_PREFIXES))}


def test_a_name_gives_the_beginnings_of_its_words():
    assert name_index.prefixes("王芳") == {"王", "王芳"}
    assert name_index.prefixes("Amy  Wong") == {"am", "amy", "wo", "won", "wong"}
    assert name_index.prefixes("José O'Neil") == {"jo", "jos", "jose", "ne", "nei", "neil"}  # "O" begins too much
    assert name_index.prefixes("ＡＢＣ") == {"ab", "abc"}  # full-width letters, as typed on a Chinese keyboard
    long = "a" * 40
    assert max(map(len, name_index.prefixes(long))) == name_index.MAX_PREFIX
    assert name_index.prefixes("") == set() and name_index.prefixes(None) == set()


def test_typed_words_meet_the_name_however_either_was_written(db, staff):
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    jose = factories.job(sp, customer=factories.customer(sp, name="José Álvarez", phone="+8613500000001"))
    long = factories.job(sp, customer=factories.customer(sp, name="Abcdefghijklmnopqrstuvwxyz Chen",
                                                         phone="+8613500000002"))
    db.session.commit()
    for typed in ("jose", "JOSÉ", "alvarez jo", "Álv"):
        assert _numbers(desk, typed) == [jose.number], typed
    # Past MAX_PREFIX a word is matched by its first MAX_PREFIX characters.
    assert _numbers(desk, "abcdefghijklmnopqrstuvwxyz") == [long.number]
    assert _numbers(desk, "abcdefghijklmnopXXX") == [long.number]
    assert _numbers(desk, "abcdefghijklmnoX") == []


def test_the_index_follows_new_jobs_renamed_customers_and_removed_jobs(db, staff):
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    customer = factories.customer(sp, name="Amy Wong", phone="+8613600000001")
    first = factories.job(sp, customer=customer)
    db.session.commit()
    assert {(p, j) for _, p, j in _rows()} == {(p, first.id) for p in ("am", "amy", "wo", "won", "wong")}
    # Renamed, and a new job of hers, in one flush: every job under the new name, once.
    customer.name = "Amy Lam"
    second = factories.job(sp, customer=customer)
    db.session.flush()
    assert _numbers(desk, "lam") == [second.number, first.number]
    assert _numbers(desk, "wong") == []
    assert {p for _, p, j in _rows() if j == first.id} == {"am", "amy", "la", "lam"}
    # A job moved to another customer goes with that customer's name.
    other = factories.customer(sp, name="陈静", phone="+8613600000002")
    db.session.get(Job, second.id).customer = other
    db.session.flush()
    assert _numbers(desk, "陈") == [second.number] and _numbers(desk, "lam") == [first.number]
    # A job removed takes its rows with it.
    db.session.delete(db.session.get(Job, first.id))
    db.session.flush()
    assert {j for _, _, j in _rows()} == {second.id}
    db.session.rollback()
    assert _numbers(desk, "wong") == [first.number]  # not committed: as it was


def test_rebuilding_gives_what_the_flushes_wrote(db, staff):
    sp, other = factories.service_point("SZ01"), factories.service_point("SZ02")
    jobs = []
    for i, name in enumerate(["王芳", "Amy Wong", "Li Lei", "王芳", "José Álvarez"]):
        point = sp if i % 2 else other
        jobs.append(factories.job(point, customer=factories.customer(point, name=name,
                                                                     phone=f"+86135000001{i:02d}")))
    db.session.commit()
    jobs[1].customer.name = "Li Leilei"
    db.session.commit()
    kept = _rows()
    assert len(kept) > 20
    written = name_index.rebuild(db.session.connection())
    assert written == len(kept) and _rows() == kept
    db.session.rollback()


def test_no_service_point_finds_nothing(db, staff):
    sp = factories.service_point("SZ01")
    factories.job(sp, customer=factories.customer(sp, name="Amy Wong", phone="+8613600000009"))
    db.session.commit()
    stmt = name_index.jobs_named("wong", [], [], 10)
    assert db.session.execute(stmt).all() == []
    assert len(db.session.execute(name_index.jobs_named("wong", [sp.id], [], 10)).all()) == 1
    assert name_index.jobs_named("®", [sp.id], [], 10) is None  # no word to look up


def test_a_job_moved_from_a_customer_renamed_in_the_same_flush_leaves_the_old_name(db, staff):
    """Found in review: the rows a moved (or removed) job leaves are those of its old
    customer's name before the flush, also when the flush renames that customer."""
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    amy = factories.customer(sp, name="Amy Wong", phone="+8613600000011")
    lam = factories.customer(sp, name="Amy Lam", phone="+8613600000012")
    moved, kept = factories.job(sp, customer=amy), factories.job(sp, customer=amy)
    gone = factories.job(sp, customer=lam)
    db.session.commit()
    amy.name = "Bob Chan"
    db.session.get(Job, moved.id).customer = lam
    db.session.flush()
    assert _numbers(desk, "wong") == []
    assert _numbers(desk, "amy lam") == [gone.number, moved.number]
    assert _numbers(desk, "bob") == [kept.number]
    lam.name = "Carl Ng"
    db.session.delete(db.session.get(Job, gone.id))
    db.session.flush()
    assert {j for _, p, j in _rows() if p.startswith("am")} == set()
    assert _numbers(desk, "carl") == [moved.number]
    assert name_index.rebuild(db.session.connection()) == len(_rows())


def test_what_is_typed_is_cut_as_names_are(db, staff):
    """Found in review: words typed are folded before they are cut, like names; a
    letter that folds to a lone Latin letter looks for names beginning so."""
    sp = factories.service_point("SZ01")
    desk = db.session.get(User, staff["receptionist"])
    ilhan = factories.job(sp, customer=factories.customer(sp, name="İlhan Kaya", phone="+8613600000021"))
    krishna = factories.job(sp, customer=factories.customer(sp, name="कृष्ण", phone="+8613600000022"))
    emile = factories.job(sp, customer=factories.customer(sp, name="Émile Zola", phone="+8613600000023"))
    db.session.commit()
    assert _numbers(desk, "İlhan") == [ilhan.number] and _numbers(desk, "ilhan") == [ilhan.number]
    assert _numbers(desk, "कृष्ण") == [krishna.number]
    assert _numbers(desk, "É") == [emile.number]
    assert name_index.typed_words("İlhan  KAYA kaya") == ["ilhan", "kaya"]
