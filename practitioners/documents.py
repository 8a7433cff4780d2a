"""The text a listing is found by in free-text search (a pure function)."""

from collections.abc import Iterable


def build_search_document(*, name: str, practice_names: Iterable[str], bio: str, conditions: Iterable[str]) -> str:
    """One line per source, most important first; PostgreSQL weights the parts separately
    (see search.filters), SQLite matches the whole text with icontains."""
    return "\n".join(
        [
            name.strip(),
            " ".join(n.strip() for n in practice_names if n),
            " ".join(c.strip() for c in conditions if c),
            bio.strip(),
        ]
    )
