"""factory-boy factories for the test suite: a small document whose claims anchor for real."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from claims.choices import ClaimStatus, ClaimType, Stance, Verdict
from claims.models import Claim, Document, Evidence, Section, Topic
from sources.choices import Reliability, SourceKind
from sources.models import Source

BODY = (
    "Opening words of the statement.\n"
    "I\n"
    "Trade grew two hundred times since 1979. Students number 400,000.\n"
    "II\n"
    "We must cooperate. Cooperation benefits both.\n"
)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"source-{n}")
    kind = SourceKind.OFFICIAL_STATISTICS
    title = factory.Sequence(lambda n: f"Statistical table {n}")
    authors = factory.LazyFunction(lambda: [{"literal": "Statistics Office"}])
    publisher = "Statistics Office"
    reliability = Reliability.HIGH


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Statement {n}")
    slug = factory.Sequence(lambda n: f"statement-{n}")
    author = "A Ministry"
    body = BODY

    @factory.post_generation
    def sections(document, create, extracted, **kwargs):
        if not create:
            return
        from claims.documents import detect_sections

        for span in detect_sections(document.body):
            Section.objects.create(document=document, **span)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A draft claim anchored in its document: give `quote` (default: the first sentence of
    section I). Drafts need nothing more; PublishedClaimFactory makes a publishable one."""

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    document = factory.SubFactory(DocumentFactory)
    key = factory.Sequence(lambda n: f"C{n:03d}")
    quote = "Trade grew two hundred times since 1979."
    start = factory.LazyAttribute(lambda claim: claim.document.body.index(claim.quote))
    end = factory.LazyAttribute(lambda claim: claim.start + len(claim.quote))
    section = factory.LazyAttribute(
        lambda claim: claim.document.sections.filter(
            start__lte=claim.start, end__gte=claim.end
        ).first()
    )
    claim_type = ClaimType.STATISTIC
    checkable = True
    paraphrase = "The statement says trade grew about 200-fold."
    status = ClaimStatus.DRAFT
    verdict = ""
    verdict_summary = ""


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    stance = Stance.SUPPORTS
    excerpt = "Trade rose from 2.5 to 558 billion dollars."
    locator = "Table 1"


class PublishedClaimFactory(ClaimFactory):
    """A published claim as the workflow leaves one: rated, summarised and, when checkable,
    with a supporting source (`evidence__source=...` chooses it). An opinion
    (checkable=False) is published as not_checkable, without sources."""

    status = ClaimStatus.PUBLISHED
    # A review date in the past, unlike the rows' created_at: pages and ClaimReview show this.
    reviewed_at = datetime.datetime(2026, 10, 2, 9, 30, tzinfo=datetime.UTC)
    verdict = factory.Maybe("checkable", Verdict.SUPPORTED, Verdict.NOT_CHECKABLE)
    verdict_summary = factory.Maybe("checkable", "Official figures give a 230-fold rise.", "")
    evidence = factory.Maybe(
        "checkable",
        factory.RelatedFactory(EvidenceFactory, factory_related_name="claim"),
        None,
    )


def user_with_permissions(username: str, *codenames: str):
    """A staff user holding the named model permissions (e.g. "claims.add_claim")."""
    user = get_user_model().objects.create_user(
        username, password="pw-for-tests-only", is_staff=True
    )
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)  # fresh instance: permission cache empty


def user_in_group(username: str, group: str):
    """A staff user whose rights come only from a group of the roles migration."""
    from django.contrib.auth.models import Group

    user = user_with_permissions(username)
    user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)
