import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations import anchoring
from annotations.models import Article, Ruling

from .helpers import BODY

# Every persona's password.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Faker("sentence")
    publisher = "Example Times"
    body = BODY
    body_sha256 = factory.LazyAttribute(lambda o: anchoring.body_sha256(o.body))


class RulingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ruling

    slug = factory.Sequence(lambda n: f"ruling-{n}")
    statement = "No credible evidence of external aggression"
    rating = "unsupported"
    summary = "The texts show no evidence."
    author = factory.SubFactory(UserFactory)
