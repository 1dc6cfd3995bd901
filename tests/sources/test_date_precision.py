"""A source's date precision describes its date: none without a date, year/month/day with one."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from sources.choices import DatePrecision
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_a_source_without_a_date_claims_no_precision():
    """The old default ('day') on a dateless source is dropped when the source is cleaned."""
    source = SourceFactory.build(published_on=None, date_precision=DatePrecision.DAY)
    source.full_clean()
    assert source.date_precision == ""


def test_a_date_given_without_a_precision_is_a_day():
    source = SourceFactory.build(published_on=datetime.date(2020, 8, 7), date_precision="")
    source.full_clean()
    assert source.date_precision == DatePrecision.DAY
    assert source.date_parts == [2020, 8, 7]


def test_the_database_refuses_a_date_without_a_precision():
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(published_on=datetime.date(2020, 8, 7), date_precision="")


def test_the_database_accepts_no_date_and_no_precision():
    source = SourceFactory(published_on=None, date_precision="")
    assert source.date_parts == []
