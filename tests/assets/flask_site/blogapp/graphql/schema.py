"""The GraphQL API (Graphene)."""
import graphene

from ..models import Post
from ..services import publish


class PostType(graphene.ObjectType):
    id = graphene.Int()
    title = graphene.String()


class Query(graphene.ObjectType):
    posts = graphene.List(PostType)

    def resolve_posts(self, info):
        return Post.query.all()


class CreatePost(graphene.Mutation):
    class Arguments:
        title = graphene.String(required=True)

    post = graphene.Field(PostType)

    def mutate(self, info, title):
        return CreatePost(post=publish(info.context.user, title, ""))


class Mutation(graphene.ObjectType):
    create_post = CreatePost.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
