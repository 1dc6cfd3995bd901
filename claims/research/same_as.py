"""Same-as links as a reader sees them: which claim this one restates, and which restate it.

The links are written by services.claim_set_same_as; this module reads them through the
visibility rule, so a link to a claim the reader may not see is left out.
"""

from ..models import Claim


def same_as_links(claim: Claim, *, user) -> dict:
    """{"claim", "same_as", "restatements"} with only the claims `user` may see."""
    visible = Claim.objects.visible_to(user)
    same_as = claim.same_as_id
    if same_as is not None and not visible.filter(pk=same_as).exists():
        same_as = None
    restatements = visible.filter(same_as=claim).order_by("pk").values_list("pk", flat=True)
    return {"claim": claim.pk, "same_as": same_as, "restatements": list(restatements)}


def confirmed_same(claim: Claim, other: Claim) -> bool:
    """A curator already recorded the two as the same claim (links are one step deep)."""
    roots = {claim.same_as_id or claim.pk, other.same_as_id or other.pk}
    return len(roots) == 1
