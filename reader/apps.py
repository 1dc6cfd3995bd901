from django.apps import AppConfig


class ReaderConfig(AppConfig):
    """The public pages: each document with its claims in place, and the list of documents."""

    name = "reader"
    verbose_name = "Reader"
