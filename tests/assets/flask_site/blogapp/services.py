"""Publishing posts (plain domain code)."""
from .extensions import db
from .models import Post


def publish(author, title, body):
    post = Post(title=title, body=body, author_id=author.id)
    db.session.add(post)
    db.session.commit()
    return post
