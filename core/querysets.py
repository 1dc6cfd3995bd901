"""Query pieces shared by the apps' querysets."""

from django.db import models
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce


def count_of(rows: models.QuerySet, *, per: str) -> Coalesce:
    """How many of `rows` belong to the outer row, as a subquery; `rows` are correlated to
    it with OuterRef and `per` names their column pointing at it.

    A subquery rather than a join with GROUP BY: the outer rows can still be locked
    (SELECT ... FOR UPDATE, which PostgreSQL refuses with GROUP BY) when a write reads them.
    """
    counted = rows.order_by().values(per).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)
