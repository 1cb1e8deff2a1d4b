"""GET /api/v1/me: who the token belongs to (scripts use it to check their setup)."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Session")


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    service_point = fields.Function(lambda u: u.service_point.code)
    service_points = fields.Function(lambda u: sorted(
        [u.service_point.code] + [sp.code for sp in u.granted_service_points]))


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        return current_user
