"""The fixed vocabularies of an archive's columns (review, precision, built-in types).

Kept apart from `archive.models` so that readers without the ORM (`sesame list`,
`sesame show`: `archive.library`, `archive.reading`) can name them without
importing SQLModel (~0.4 s of a cold start, `python -X importtime`); `models`
imports them from here, so `models.REVIEW_STATUSES` and the others still work.
"""

# Review vocabularies (issue 13); the first of each is the default.
REVIEW_STATUSES = ("unread", "in_review", "reviewed", "relevant", "not_relevant")
VERIFICATIONS = ("unverified", "corroborated", "verified", "disputed")
DATE_PRECISIONS = ("day", "week", "month", "year", "range")
PLACE_PRECISIONS = ("exact", "town", "district", "region", "country")
BUILTIN_ROLE_TYPES = (
    ("perpetrator", "Perpetrator"),
    ("victim", "Victim"),
    ("witness", "Witness"),
    ("source", "Source"),
    ("intervening", "Intervening party"),
)
BUILTIN_RELATION_TYPES = (
    ("member_of", "Member of"),
    ("commands", "Commands"),
    ("part_of", "Part of"),
)
