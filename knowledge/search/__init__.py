"""One search over everything a person may see in an organization.

``models`` holds the single index table, ``sources`` says how each kind of object becomes
a search document (one registered class per kind), ``indexing`` keeps the table current,
``query`` answers a search with visibility enforced in SQL, and ``folding`` removes
accents the same way on documents and queries."""
