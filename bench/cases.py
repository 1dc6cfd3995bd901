"""The benchmark's cases: one request to Claimbase and, where it has one, Datasette's equivalent.

A case's paths are templates filled from a context the capture step reads from the
corpus (a claim with evidence, the largest document, the row where page 1,000 starts,
the search words). The floor needs no path of its own: it replays, by case name, the SQL
Claimbase ran for the case's request.

Datasette serves the SQLite copy as database "cb" (its tables are Claimbase's tables). Its
deep page is keyset (`_next`), the only deep paging it has; its claim list with evidence
is the SQL a Datasette user would write (a page of claims with their evidence as JSON).
"""

from dataclasses import dataclass
from urllib.parse import quote

# Statements that are no query of the request's own (not replayed, not counted).
TRANSACTION_STATEMENTS = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "CLOSE")
CSV_FILTER = "claim_type=statistic&verdict=contradicted"
FACETS = ("claim_type", "verdict", "status", "section_id", "attributed_to")

EMBEDDED_SQL = """
select c.id, c.key, c.quote, c.claim_type, c.status, c.verdict, c.document_id,
  (select json_group_array(json_object('source', s.key, 'title', s.title, 'stance', e.stance,
     'excerpt', e.excerpt, 'locator', e.locator))
   from claims_evidence e join sources_source s on s.id = e.source_id
   where e.claim_id = c.id) as evidence
from claims_claim c
where c.status in ('published', 'retracted')
order by c.document_id, c.start, c.id
limit 50
"""


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    claimbase: str
    datasette: str | None = None
    throughput: bool = False  # also measured with concurrent clients
    needs: str = ""  # a context value without which the version under test has no such case

    def available(self, context: dict) -> bool:
        return not self.needs or context.get(self.needs) is not None

    def paths(self, context: dict) -> dict[str, str | None]:
        return {
            "claimbase": self.claimbase.format(**context),
            "datasette": self.datasette.format(**context) if self.datasette else None,
        }


def facet_query() -> str:
    return "&".join(f"_facet={name}" for name in FACETS)


CASES = [
    Case(
        "claims_page_50",
        "claims, page of 50 (sources and counter-sources embedded)",
        "/api/claims/?page_size=50",
        "/cb/claims_claim.json?_size=50",
        throughput=True,
    ),
    Case(
        "claims_page_100",
        "claims, page of 100",
        "/api/claims/?page_size=100",
        "/cb/claims_claim.json?_size=100",
    ),
    Case(
        "claims_page_1000",
        "claims, page 1,000 (of 50)",
        "/api/claims/?page={deep_page}",
        "/cb/claims_claim.json?_size=50&_next={page_1000_next}",
    ),
    Case(
        "claims_deep_cursor",
        "claims, page 1,000 by keyset cursor",
        "/api/claims/?cursor={deep_cursor}",
        "/cb/claims_claim.json?_size=50&_next={page_1000_next}",
        needs="deep_cursor",
    ),
    Case(
        "claims_no_count",
        "claims, page of 50 without a total count",
        "/api/claims/?page_size=50&{no_count_parameter}",
        "/cb/claims_claim.json?_size=50&_nocount=1",
    ),
    Case(
        "claims_embedded",
        "claims with their evidence as one SQL query (Datasette: ?sql=)",
        "/api/claims/?page_size=50",
        "/cb.json?sql=" + quote(" ".join(EMBEDDED_SQL.split())),
    ),
    Case(
        "filter_type_verdict",
        "claims filtered by type and verdict",
        "/api/claims/?claim_type=statistic&verdict=supported",
        "/cb/claims_claim.json?claim_type=statistic&verdict=supported&_size=50",
    ),
    Case(
        "claim_detail",
        "claim detail",
        "/api/claims/{claim_id}/",
        "/cb/claims_claim/{claim_id}.json",
        throughput=True,
    ),
    Case(
        "search_rare",
        "search, rare word",
        "/api/claims/?q={rare_word}",
        "/cb/claims_claim.json?_search={rare_word}&_size=50",
        throughput=True,
    ),
    Case(
        "search_common",
        "search, common word",
        "/api/claims/?q={common_word}",
        "/cb/claims_claim.json?_search={common_word}&_size=50",
    ),
    Case(
        "facets",
        "facets (type, verdict, status, section, attributed to, ...)",
        "/api/claims/facets/",
        "/cb/claims_claim.json?_size=0&" + facet_query(),
    ),
    Case("similar", "similar claims", "/api/claims/{claim_id}/similar/", None),
    Case(
        "csv_export",
        "CSV export of a filtered list",
        "/api/claims/export.csv?" + CSV_FILTER,
        "/cb/claims_claim.csv?" + CSV_FILTER + "&_size=max&_stream=on",
    ),
    Case(
        "sources_list",
        "sources list",
        "/api/sources/",
        "/cb/sources_source.json?_size=50",
    ),
    Case(
        "document_detail",
        "document detail",
        "/api/documents/{document_slug}/",
        "/cb/claims_document/{document_id}.json",
    ),
    Case(
        "reader_claim_page",
        "reader page of one claim",
        "/documents/{claim_document_slug}/claims/{claim_key}/",
        "/cb/claims_claim/{claim_id}",
        throughput=True,
    ),
    Case(
        "reader_page",
        "reader page of the largest document",
        "/documents/{document_slug}/",
        None,
    ),
]

CASE_NAMES = [case.name for case in CASES]
