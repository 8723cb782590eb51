"""Reading a file through the CoP's import profile, and what the check page offers to map.

``measurement.models.ImportProfile`` keeps the mappings; this module applies them:

- columns: ``readers.column_names`` gives each header cell its layout column, the
  profile's choice (keyed by ``column_key``) first, then the layout's names and aliases;
- codes: ``apply_to_context`` adds the file's codes to the validation context's
  dictionaries as other names of the CoP's measures, sites and categories, so a row
  costs the same dictionary look-up as before, whatever the number of mappings;
- what is left unknown is collected by ``validation.Report`` (distinct codes, capped)
  and offered on the check page by ``mapping_choices``.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from measurement.models import ImportProfile

if TYPE_CHECKING:
    from communities.models import Community

SEPARATOR = "|"  # between a stratifier and a category in a category mapping key
MAX_UNKNOWN = 100  # distinct unknown codes of each kind kept in a report


def code_key(code: str) -> str:
    """How codes are compared everywhere in imports: spaces around and case ignored."""
    return code.strip().casefold()


def column_key(name: str) -> str:
    """A header cell folded for the profile: case, accents and spacing ignored, so
    ``Mês``, ``MES`` and ``mes`` are one column."""
    decomposed = unicodedata.normalize("NFKD", str(name or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.replace("-", " ").split())


def category_key(stratifier: str, category: str) -> str:
    return f"{code_key(stratifier)}{SEPARATOR}{code_key(category)}"


def profile_for(community: Community) -> ImportProfile | None:
    return ImportProfile.objects.filter(community=community).first()


def apply_to_context(context: Any, profile: ImportProfile | None) -> None:
    """Make the file's codes other names of the CoP's own in ``context`` (a
    ``validation.ValidationContext``; validation imports this module, not the reverse).
    A code the CoP itself uses keeps its meaning: a mapping never hides one."""
    if profile is None:
        return
    for theirs, ours in (profile.measures or {}).items():
        found = context.measures.get(code_key(ours))
        if found is not None:
            context.measures.setdefault(code_key(theirs), found)
    for theirs, ours in (profile.sites or {}).items():
        site = context.sites.get(code_key(ours))
        if site is not None:
            context.sites.setdefault(code_key(theirs), site)
    for theirs, ours in (profile.categories or {}).items():
        their_stratifier, _sep, their_category = theirs.partition(SEPARATOR)
        our_stratifier, _sep, our_category = ours.partition(SEPARATOR)
        found_category = context.categories.get((our_stratifier, our_category))
        if found_category is not None:
            context.categories.setdefault((their_stratifier, their_category), found_category)


def described(profile: ImportProfile | None) -> dict[str, Any]:
    """The profile as the check page lists it."""
    if profile is None:
        return {"columns": {}, "measures": {}, "sites": {}, "categories": {}}
    return {
        "columns": dict(profile.columns or {}),
        "measures": dict(profile.measures or {}),
        "sites": dict(profile.sites or {}),
        "categories": dict(profile.categories or {}),
    }
