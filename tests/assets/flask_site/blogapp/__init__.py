"""The blog: an application factory and its blueprints."""
from config import config
from flask import Flask, g, render_template

from .extensions import cache, db, login_manager, migrate


def _open_request():
    g.started = True


def create_app(config_name="default"):
    app = Flask(__name__)
    app.config.from_object(config[config_name])
    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    cache.init_app(app)

    from .auth import bp as auth_bp
    from .cli import admin_cli, user_cli
    from .posts import posts_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(posts_bp)
    app.cli.add_command(admin_cli)
    app.cli.add_command(user_cli)
    app.before_request(_open_request)

    @app.route("/")
    def index():
        return render_template("index.html")

    @app.errorhandler(404)
    def not_found(error):
        return render_template("404.html"), 404

    @app.cli.command("seed")
    def seed():
        db.create_all()

    return app
