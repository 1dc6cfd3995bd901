"""Research features over claims: facets, similar claims and same-as links, ClaimReview, CSV.

Domain code only (no API, no admin): the API's actions in claims/api/research.py call
these with querysets already restricted by core.visibility.
"""
