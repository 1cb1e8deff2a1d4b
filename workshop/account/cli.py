"""``flask --app run users password|tokens|revoke-token`` (CONTRACT.md): commands on the
``users`` group of workshop/cli.py."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from models import ApiToken, User, db
from workshop.cli import domain_errors_exit
from workshop.core import accounts, sessions, tokens


def _user(name: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username) == name.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no user {name}.")
    return user


def register_user_commands(users_cli: AppGroup) -> None:

    @users_cli.command("password")
    @click.argument("name")
    @click.option("--password", required=True, help="The new password (the password policy applies).")
    @domain_errors_exit
    def users_password(name, password):
        """Set NAME's password; ends their sessions and revokes their API tokens."""
        user = _user(name)
        accounts.update_user(user, actor=None, password=password)
        db.session.commit()
        click.echo(f"Password of {user.username} changed; their sessions ended and API tokens revoked.")

    @users_cli.command("tokens")
    @click.argument("name")
    def users_tokens(name):
        """List NAME's API tokens: id, prefix, created, revoked."""
        user = _user(name)
        for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)):
            revoked = token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "active"
            click.echo(f"{token.id}\t{token.prefix}…\t{token.created_at.isoformat(timespec='seconds')}\t{revoked}")

    @users_cli.command("revoke-token")
    @click.argument("name")
    @click.option("--id", "token_id", type=int, default=None, help="The token's id (see `users tokens`).")
    @click.option("--all", "revoke_all", is_flag=True, help="Every token of NAME.")
    @domain_errors_exit
    def users_revoke_token(name, token_id, revoke_all):
        """Revoke one API token of NAME (--id) or all of them (--all)."""
        user = _user(name)
        if revoke_all == (token_id is not None):
            raise click.UsageError("Give either --id ID or --all.")
        if revoke_all:
            count = sessions.revoke_all_tokens(user, reason="command line")
            db.session.commit()
            click.echo(f"{count} token(s) of {user.username} revoked.")
            return
        token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
        if token is None or token.user_id != user.id:
            raise click.ClickException(f"{user.username} has no token {token_id}.")
        tokens.revoke_token(None, token)
        db.session.commit()
        click.echo(f"Token {token.prefix}… of {user.username} revoked.")

    @users_cli.command("end-sessions")
    @click.argument("name")
    def users_end_sessions(name):
        """Sign NAME out everywhere (their API tokens keep working)."""
        user = _user(name)
        sessions.end_sessions(user, reason="command line")
        db.session.commit()
        click.echo(f"Every session of {user.username} ended.")
