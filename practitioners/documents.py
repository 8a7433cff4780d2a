"""The text a listing is found by in free-text search (a pure function)."""

from collections.abc import Iterable


def build_search_document(
    *,
    name: str,
    practice_names: Iterable[str],
    bio: str,
    conditions: Iterable[str],
    techniques: Iterable[str] = (),
    services: Iterable[str] = (),
) -> str:
    """One line per source, most important first: name, practice names, conditions, techniques
    and complementary services, then the bio. PostgreSQL weights the parts separately (name A,
    lines 2–4 B, bio C: practitioners.expressions.SEARCH_VECTOR_SQL); SQLite matches the whole
    text with icontains."""
    return "\n".join(
        [
            name.strip(),
            " ".join(n.strip() for n in practice_names if n),
            " ".join(c.strip() for c in conditions if c),
            " ".join(t.strip() for t in [*techniques, *services] if t),
            bio.strip(),
        ]
    )
