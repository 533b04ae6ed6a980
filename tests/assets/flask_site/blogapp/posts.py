"""Reading and writing posts, as pages and as a JSON API."""
from flask import Blueprint, jsonify, render_template, request
from flask.views import MethodView

from .models import Post
from .services import publish

posts_bp = Blueprint("posts", __name__, url_prefix="/posts")


@posts_bp.get("/")
def list_posts():
    return render_template("posts/list.html", posts=Post.query.all())


class PostAPI(MethodView):
    def get(self, post_id):
        post = Post.query.get_or_404(post_id)
        return jsonify(title=post.title, body=post.body)

    def post(self):
        payload = request.get_json()
        return jsonify(id=publish(request.user, payload["title"], payload["body"]).id), 201


posts_bp.add_url_rule("/api/<int:post_id>", view_func=PostAPI.as_view("post_api"))
