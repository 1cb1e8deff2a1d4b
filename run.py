"""Entry point.  ``python run.py`` upgrades the database, seeds demo data into an
empty one and serves on HOST:PORT (default 127.0.0.1:5000).  ``flask --app run``
finds ``app`` here for the CLI."""

import os
import sys

from workshop import create_app

app = create_app()


def start_background_sending() -> None:
    """Send the notification outbox (and queue due reminders) in a background thread
    while serving, when SMTP_HOST or SMS_SENDER is set.  Not for CLI commands."""
    from workshop.notifications.cli import start_background_sender

    if start_background_sender(app) is not None:
        print(f"Sending notifications every {app.config['OUTBOX_SEND_INTERVAL']} s in the background.", flush=True)


if "gunicorn" in sys.modules and app.config.get("OUTBOX_IN_WEB_WORKERS"):
    # Served by gunicorn with OUTBOX_IN_WEB_WORKERS (the default outside production): each
    # worker sends; messages are claimed atomically, so none goes twice.  Production sends
    # from one `flask --app run outbox run` process instead (see the README).
    start_background_sending()


@app.shell_context_processor
def shell_context():
    import models

    return {"db": models.db, "models": models}


def prepare_database() -> None:
    """Apply migrations and load demo data into an empty database."""
    from flask_migrate import upgrade

    from models import db
    from workshop.demo import seed as demo

    with app.app_context():
        upgrade()
        if demo.is_empty():
            result = demo.seed(with_jobs=True)
            db.session.commit()
            print(demo.describe(result), flush=True)


if __name__ == "__main__":
    prepare_database()
    start_background_sending()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Workshop running on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
