"""The OpenAPI schema's operations: each gets a one-line summary and a description.

An action's docstring is its description and its first sentence the summary. The
standard operations of a resource (list, create, retrieve, update, partial update,
destroy, history) share the viewset's docstring, so each gets a sentence of its own in
front of it, naming the model (its verbose names), and a summary such as "List claims".
"""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc

# action -> (summary, what it does), with {a} the article, {one} / {many} the model's names.
STANDARD = {
    "list": ("List {many}", "One page of {many}, filtered, searched and ordered by the query parameters."),
    "create": ("Create {a}{one}", "Creates {a}{one} from the request body (needs the permission to add {many})."),
    "retrieve": ("Get {a}{one}", "One {one}, as far as you may see it."),
    "update": ("Replace {a}{one}", "Replaces {a}{one} with the request body (send its ETag as If-Match)."),
    "partial_update": ("Update part of {a}{one}", "Changes the fields sent of {a}{one} (send its ETag as If-Match)."),
    "destroy": ("Delete {a}{one}", "Deletes {a}{one} (needs the permission to delete {many}; send its ETag as If-Match)."),
    "history": ("History of {a}{one}", "Every recorded version of {a}{one}, newest first: who changed which fields, when, from what to what."),
}  # fmt: skip
SUMMARY_LENGTH = 90


def first_sentence(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first sentence of a docstring on one line, cut at a word if it is long."""
    line = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", line)
    sentence = (match.group(1) if match else line).rstrip(".:;")
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def article(one: str, many: str) -> str:
    if one == many:  # "evidence": uncountable, no article
        return ""
    return "an " if one[:1].lower() in "aeiou" else "a "


class ClaimbaseAutoSchema(AutoSchema):
    def _names(self) -> tuple[str, str]:
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        if model is None:
            return "item", "items"
        return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)

    def _standard(self) -> tuple[str, str] | None:
        """Summary and sentence of a standard operation (a method's own docstring there
        says how it is implemented, not what it answers)."""
        action = getattr(self.view, "action", None)
        if action not in STANDARD:
            return None
        one, many = self._names()
        names = {"a": article(one, many), "one": one, "many": many}
        summary, sentence = STANDARD[action]
        return summary.format(**names), sentence.format(**names)

    def get_description(self) -> str:
        standard = self._standard()
        if standard is None:
            return super().get_description() or ""
        return f"{standard[1]}\n\n{get_doc(type(self.view))}".strip()

    def get_summary(self) -> str | None:
        standard = self._standard()
        if standard is not None:
            return standard[0]
        return first_sentence(super().get_description() or "") or None
