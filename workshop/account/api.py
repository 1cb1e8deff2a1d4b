"""API tokens over the API: GET /api/v1/tokens (own, or ``?username=`` for a manager or
admin), DELETE /api/v1/tokens/{id} (revoke)."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from models import ApiToken, User, db
from workshop.core import tokens
from workshop.jobs.schemas import UTCDateTime

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1", description="API tokens")
SECURITY = [{"bearerAuth": []}]


class TokenQuery(Schema):
    username = fields.String(validate=validate.Length(min=1, max=64),
                             metadata={"description": "Whose tokens (default: the caller's)."})


class TokenOut(Schema):
    id = fields.Integer()
    prefix = fields.String(metadata={"description": "The first characters of the token."})
    created_at = UTCDateTime()
    last_used_at = UTCDateTime(allow_none=True)
    revoked_at = UTCDateTime(allow_none=True)


class TokenList(Schema):
    items = fields.List(fields.Nested(TokenOut))


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenQuery, location="query")
    @blp.response(200, TokenList)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """A user's API tokens, newest first, revoked ones included."""
        owner = current_user
        if args.get("username"):
            owner = db.session.scalar(select(User).where(func.lower(User.username) == args["username"].lower()))
            if owner is None:
                abort(404, description=gettext("No such user."))
        return {"items": tokens.tokens_of(current_user, owner)}


@blp.route("/tokens/<int:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    @blp.doc(security=SECURITY)
    def delete(self, token_id):
        """Revoke the token (its owner, or a manager/admin who manages the owner)."""
        token = db.session.get(ApiToken, token_id)
        if token is None:
            abort(404, description=gettext("No such token."))
        tokens.revoke_token(current_user, token)
        db.session.commit()
        return ""
