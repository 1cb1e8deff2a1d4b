"""Entry point.  ``python run.py`` upgrades the database, seeds demo data into an
empty one and serves on HOST:PORT (default 127.0.0.1:5000).  ``flask --app run``
finds ``app`` here for the CLI."""

import os

from workshop import create_app

app = create_app()


@app.shell_context_processor
def shell_context():
    import models

    return {"db": models.db, "models": models}


def prepare_database() -> None:
    """Apply migrations and load demo data into an empty database."""
    from flask_migrate import upgrade

    from models import db
    from workshop.services import demo

    with app.app_context():
        upgrade()
        if demo.is_empty():
            result = demo.seed()
            db.session.commit()
            print(demo.describe(result), flush=True)


if __name__ == "__main__":
    prepare_database()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Workshop running on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
