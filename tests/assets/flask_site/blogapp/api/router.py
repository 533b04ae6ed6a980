"""A FastAPI router, mounted beside the Flask app."""
from fastapi import APIRouter, FastAPI

from ..models import Post

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("/posts")
def post_count():
    return {"posts": Post.query.count()}


def create_api():
    api = FastAPI()
    api.include_router(router)
    return api
