"""Who may see unpublished material, and what of each model is public: the one visibility rule.

The rule:

- Published and retracted claims are public (a retraction stays on the record, marked as
  such); drafts and claims in review are not.
- What hangs off a claim follows it: evidence is public when its claim is; a source is
  public when a public claim's evidence cites it (one cited only by drafts is not).
- Documents, their sections and topics are public texts. What they count follows the
  claims: a document's claim count counts the claims the reader may see (`visible_q`).
- Users holding UNPUBLISHED_PERMISSION (curators and reviewers, see claims/roles.py) see
  everything; everyone else, signed in or not, sees the public part only.

Every read of content goes through this module:

- the API: the base viewset (core.api.ClaimbaseModelViewSet) restricts every queryset
  with `restrict()`, for every action, extra actions included;
- domain code: `Model.objects.visible_to(user)` (every content model's QuerySet derives
  from VisibleQuerySet, whose `visible_to` is `restrict`);
- counts and conditions inside other queries (a document's claim count, the excerpts a
  source search reads): `visible_q(user, model, via=...)`;
- one row at hand (a claim's same-as link, the reader's outline of unpublished claims):
  `can_see(user, row)` and `is_public(row)`.

core imports no app, so each model's rule is written with lookups (strings) under its
label in RULES. A content model without a rule cannot be restricted (`restrict` raises),
and tests/test_visibility.py fails for any model of the content apps that lacks one: add
a line to RULES when you add a model (notes: NEVER_PUBLIC; a source's snapshots:
public_with_claim("source__evidence__claim", many=True)).
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q

# Claim statuses an anonymous reader may see (the values of claims.choices.ClaimStatus).
PUBLIC_CLAIM_STATUSES = ("published", "retracted")

# The one permission that unlocks unpublished material, whatever the model.
UNPUBLISHED_PERMISSION = "claims.view_claim"


@dataclass(frozen=True)
class Rule:
    """When a row of one model is public.

    `kind` is "always", "never" or "claim" (public when the claim reached through the
    lookup `claim` is; "" means the row is itself a claim). `many` says that lookup
    crosses a to-many relation, so rows are filtered through a subquery of ids instead of
    a join that would repeat them.
    """

    kind: str
    claim: str = ""
    many: bool = False


ALWAYS_PUBLIC = Rule("always")
NEVER_PUBLIC = Rule("never")


def public_with_claim(lookup: str = "", *, many: bool = False) -> Rule:
    return Rule("claim", lookup, many)


RULES: dict[str, Rule] = {
    "claims.claim": public_with_claim(),
    "claims.evidence": public_with_claim("claim"),
    # A correction is part of its claim's public record (IFCN: open corrections).
    "claims.correction": public_with_claim("claim"),
    "sources.source": public_with_claim("evidence__claim", many=True),
    "sources.snapshot": public_with_claim("source__evidence__claim", many=True),
    # The texts themselves are published; their claim counts follow the claims (visible_q).
    "claims.document": ALWAYS_PUBLIC,
    "claims.section": ALWAYS_PUBLIC,
    # A document's earlier texts are public like its text; their `anchors` name claims of
    # every status, so a page showing them filters the keys through the claim rule.
    "claims.documentversion": ALWAYS_PUBLIC,
    "claims.topic": ALWAYS_PUBLIC,
    # Who reviewed or moved a claim is curators' record, not shown to readers.
    "accounts.person": NEVER_PUBLIC,
    # The desk's conversation about a claim: curators and reviewers only.
    "claims.claimnote": NEVER_PUBLIC,
}


def can_see_unpublished(user) -> bool:
    """Curators and reviewers see drafts and claims in review; everyone else does not."""
    return bool(user and user.is_authenticated and user.has_perm(UNPUBLISHED_PERMISSION))


def rule_for(model: type[models.Model] | str) -> Rule:
    """The rule of a model (a proxy follows its concrete model), by class or label."""
    if isinstance(model, str):
        label = model.lower()
    else:
        label = model._meta.concrete_model._meta.label_lower
    try:
        return RULES[label]
    except KeyError:
        raise LookupError(
            f"{label} has no visibility rule: add one to core.visibility.RULES."
        ) from None


def public_q(model: type[models.Model], *, via: str = "") -> Q:
    """The condition that a row of `model` is public; with `via`, the condition on a row
    that reaches `model` through that lookup (e.g. via="claims" from a document)."""
    rule = rule_for(model)
    prefix = f"{via}__" if via else ""
    if rule.kind == "always":
        return Q()
    if rule.kind == "never":
        return Q(**{f"{prefix}pk__in": []})
    status = f"{rule.claim}__status__in" if rule.claim else "status__in"
    if not rule.many:
        return Q(**{f"{prefix}{status}": PUBLIC_CLAIM_STATUSES})
    if not via:
        # A correlated EXISTS: a page of sources checks its own rows (index lookups) instead
        # of building the id list of every public source first (1.3 s at 20k sources).
        public_rows = model._default_manager.filter(
            **{status: PUBLIC_CLAIM_STATUSES}, pk=OuterRef("pk")
        )
        return Q(Exists(public_rows))
    public_ids = model._default_manager.filter(**{status: PUBLIC_CLAIM_STATUSES}).values("pk")
    return Q(**{f"{prefix}pk__in": public_ids})


def visible_q(user, model: type[models.Model], *, via: str = "") -> Q:
    """public_q for readers without the permission, no condition (Q()) for those with it."""
    return Q() if can_see_unpublished(user) else public_q(model, via=via)


def restrict(queryset: "models.QuerySet", user) -> "models.QuerySet":
    """The rows of `queryset` this user may see, marked as having passed the rule."""
    if not isinstance(queryset, VisibleQuerySet):
        raise TypeError(
            f"{queryset.model._meta.label}'s QuerySet does not derive from "
            "core.visibility.VisibleQuerySet, so it cannot be restricted."
        )
    condition = visible_q(user, queryset.model)
    restricted = queryset.filter(condition) if condition else queryset.all()
    restricted.visibility_checked = True
    return restricted


def is_public(row: models.Model) -> bool:
    """Whether anyone, signed in or not, may see this row."""
    rule = rule_for(type(row))
    if rule.kind != "claim":
        return rule.kind == "always"
    if rule.many:
        return type(row)._default_manager.filter(public_q(type(row)), pk=row.pk).exists()
    claim = row
    for name in filter(None, rule.claim.split("__")):
        claim = getattr(claim, name)
    return claim.status in PUBLIC_CLAIM_STATUSES


def can_see(user, row: models.Model) -> bool:
    """Whether this user may see this row."""
    return can_see_unpublished(user) or is_public(row)


class VisibleQuerySet(models.QuerySet):
    """The QuerySet of every content model: `visible_to(user)` applies the rule.

    `visibility_checked` stays set on every queryset derived from a restricted one, so a
    test can tell that a view's queryset went through the rule.
    """

    visibility_checked = False

    def visible_to(self, user) -> "VisibleQuerySet":
        return restrict(self, user)

    def _clone(self):
        clone = super()._clone()
        clone.visibility_checked = self.visibility_checked
        return clone
