"""Long imports commit in batches, so the counter's writes get in between."""

from sqlalchemy import event, func, select

from models import Part, db
from workshop.parts import catalogue as parts_service


def test_parts_import_commits_every_batch_and_reports_every_row(runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(parts_service, "IMPORT_BATCH", 3)
    lines = ["sku,name,price"] + [f"B-{i:02d},Part {i},{10 + i}" for i in range(10)] + ["B-BAD,,5"]
    path = tmp_path / "batch.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    commits: list[int] = []
    with app.app_context():
        engine = db.engine
    parts_count = select(func.count()).select_from(Part)

    def seen(conn):
        commits.append(1)

    event.listen(engine, "commit", seen)
    try:
        r = runner.invoke(args=["parts", "import", str(path)])
    finally:
        event.remove(engine, "commit", seen)
    assert r.exit_code == 0, r.output
    assert "10 created, 0 updated, 0 unchanged, 1 rejected" in r.output and "line 12:" in r.output
    assert len(commits) >= 4  # 11 rows in batches of 3, then the last commit
    with app.app_context():
        assert db.session.scalar(parts_count) == 10


def test_tac_import_commits_after_each_batch(runner, app, tmp_path, monkeypatch):
    from workshop.intake.devices import tac

    monkeypatch.setattr(tac, "BATCH_SIZE", 2)
    monkeypatch.setattr(tac.import_stream, "__kwdefaults__", {**tac.import_stream.__kwdefaults__, "batch_size": 2})
    path = tmp_path / "tac.csv"
    path.write_text("tac,brand,model\n" + "".join(f"3567590{i},Brand{i},Model {i}\n" for i in range(7)),
                    encoding="utf-8")
    commits: list[int] = []
    with app.app_context():
        engine = db.engine

    def seen(conn):
        commits.append(1)

    event.listen(engine, "commit", seen)
    try:
        r = runner.invoke(args=["tac", "import", str(path)])
    finally:
        event.remove(engine, "commit", seen)
    assert r.exit_code == 0, r.output
    assert "7" in r.output
    assert len(commits) >= 4  # 7 rows in batches of 2, then the record
    with app.app_context():
        assert tac.count() == 7
