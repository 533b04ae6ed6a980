"""Command-line tools: `flask admin ...` and `flask user ...`."""
import click
from flask.cli import AppGroup

from .extensions import db
from .models import User

user_cli = AppGroup("user")


@click.group("admin")
def admin_cli():
    """Administration commands."""


@admin_cli.command("create-user")
@click.argument("email")
def create_user(email):
    db.session.add(User(email=email))
    db.session.commit()


@user_cli.command("count")
def count_users():
    click.echo(User.query.count())
