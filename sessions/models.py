"""Meeting series and sessions (built by the sessions issue)."""
