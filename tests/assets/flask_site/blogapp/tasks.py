"""Background jobs."""
from celery import shared_task

from .extensions import celery, mail
from .models import Post


@celery.task
def send_digest(address):
    mail.send_message("Digest", recipients=[address], body=str(Post.query.count()))


@shared_task(ignore_result=True)
def purge_drafts():
    return Post.query.filter_by(body="").delete()
