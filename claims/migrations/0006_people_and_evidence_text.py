"""People instead of accounts in the record of who did what; evidence says what its text is.

- `reviewed_by` and `status_changed_by` point at accounts.Person (a person travels in
  datasets as data; an account does not). Each account named there, in the claims and in
  their history, gets its person (username and display name, linked to the account), and
  the references move to it.
- Evidence gains `summary` (the curator's account of what the source says) apart from
  `excerpt` (the source's own words only). Existing excerpts are split by the rule in
  claims/excerpts.py: what is not the source's words moves to the summary.
- Evidence gains `copy_kind` (publisher, archive, third-party copy), derived from
  `consulted_url` and the source's address by claims/copies.py.
"""

import django.db.models.deletion
from django.db import migrations, models

from claims.copies import copy_kind
from claims.excerpts import split_excerpt

PERSON_FIELDS = ("reviewed_by", "status_changed_by")


def people_for_accounts(apps, schema_editor):
    """A person for every account named by a claim or its history; references move to it."""
    Claim = apps.get_model("claims", "Claim")
    HistoricalClaim = apps.get_model("claims", "HistoricalClaim")
    Person = apps.get_model("accounts", "Person")
    User = Claim._meta.get_field("reviewed_by").related_model
    user_ids = set()
    for model in (Claim, HistoricalClaim):
        for name in PERSON_FIELDS:
            user_ids |= set(
                model.objects.filter(**{f"{name}__isnull": False})
                .values_list(f"{name}_id", flat=True)
                .distinct()
            )
    person_of_user = {}
    for user in User.objects.filter(pk__in=user_ids):
        full_name = f"{user.first_name} {user.last_name}".strip()
        person, _ = Person.objects.get_or_create(
            username=user.username, defaults={"user_id": user.pk, "display_name": full_name}
        )
        person_of_user[user.pk] = person.pk
    for model in (Claim, HistoricalClaim):
        for name in PERSON_FIELDS:
            for user_id, person_id in person_of_user.items():
                model.objects.filter(**{f"{name}_id": user_id}).update(
                    **{f"{name}_person_id": person_id}
                )
    check_references_now(schema_editor)


def check_references_now(schema_editor):
    """PostgreSQL checks the new references at commit; the fields are altered before that,
    which it refuses while checks are pending ("pending trigger events"): check them now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def split_excerpts_and_derive_copy_kinds(apps, schema_editor):
    Evidence = apps.get_model("claims", "Evidence")
    rows = Evidence.objects.select_related("source").only(
        "excerpt", "summary", "consulted_url", "copy_kind", "source__url"
    )
    for evidence in rows.iterator(chunk_size=500):
        excerpt, summary = split_excerpt(evidence.excerpt)
        if evidence.summary:
            summary = "\n\n".join(filter(None, [evidence.summary, summary]))
        kind = copy_kind(evidence.consulted_url, evidence.source.url)
        if (excerpt, summary, kind) != (evidence.excerpt, evidence.summary, evidence.copy_kind):
            Evidence.objects.filter(pk=evidence.pk).update(
                excerpt=excerpt, summary=summary, copy_kind=kind
            )
    check_references_now(schema_editor)


def person_field(*, history: bool, related_name: str, help_text: str):
    if history:
        return models.ForeignKey(
            blank=True, db_constraint=False, help_text=help_text, null=True,
            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
            to="accounts.person",
        )  # fmt: skip
    return models.ForeignKey(
        blank=True, help_text=help_text, null=True,
        on_delete=django.db.models.deletion.PROTECT, related_name=related_name,
        to="accounts.person",
    )  # fmt: skip


HELP = {
    "reviewed_by": ("reviewed_claims", "Who published it after review."),
    "status_changed_by": ("status_changed_claims", "Who made the last workflow transition."),
}

EVIDENCE_FIELDS = [
    (
        "summary",
        models.TextField(blank=True, help_text="What the source says, in the curator's words."),
    ),
    (
        "copy_kind",
        models.CharField(
            blank=True,
            choices=[
                ("publisher", "At the publisher"),
                ("archive", "In an archive"),
                ("third_party", "In a third-party copy"),
            ],
            editable=False,
            help_text="Where the text was read, derived from the address read (claims/copies.py).",
            max_length=16,
        ),
    ),
]

ALTERED_EVIDENCE_FIELDS = [
    (
        "excerpt",
        models.TextField(
            blank=True,
            help_text="The source's own words, exactly as they stand there; nothing else (or empty).",
        ),
    ),
    ("note", models.TextField(blank=True, help_text="A curator's comment.")),
    (
        "verified",
        models.BooleanField(
            default=False,
            help_text="A curator read the source itself and found the excerpt (or what the summary says) there.",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_person"),
        ("claims", "0005_roles_from_code"),
    ]

    operations = [
        *[
            migrations.AddField(model_name=model, name=f"{name}_person", field=person_field(
                history=model == "historicalclaim", related_name=HELP[name][0], help_text=HELP[name][1]
            ))
            for model in ("claim", "historicalclaim")
            for name in PERSON_FIELDS
        ],  # fmt: skip
        *[
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("evidence", "historicalevidence")
            for name, field in EVIDENCE_FIELDS
        ],
        *[
            migrations.AlterField(model_name=model, name=name, field=field)
            for model in ("evidence", "historicalevidence")
            for name, field in ALTERED_EVIDENCE_FIELDS
        ],
        migrations.RunPython(people_for_accounts, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            split_excerpts_and_derive_copy_kinds, migrations.RunPython.noop, elidable=False
        ),
        *[
            migrations.RemoveField(model_name=model, name=name)
            for model in ("claim", "historicalclaim")
            for name in PERSON_FIELDS
        ],
        *[
            migrations.RenameField(model_name=model, old_name=f"{name}_person", new_name=name)
            for model in ("claim", "historicalclaim")
            for name in PERSON_FIELDS
        ],
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(("copy_kind", ""), ("copy_kind__in", ["publisher", "archive", "third_party"]), _connector="OR"),
                name="claims_evidence_copy_kind_valid",
            ),
        ),
    ]
