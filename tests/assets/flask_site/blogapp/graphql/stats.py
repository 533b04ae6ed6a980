"""Statistics as a Strawberry schema."""
import strawberry

from ..models import Post


@strawberry.type
class Stats:
    posts: int


@strawberry.type
class StatsQuery:
    @strawberry.field
    def stats(self) -> Stats:
        return Stats(posts=Post.query.count())


stats_schema = strawberry.Schema(query=StatsQuery)
