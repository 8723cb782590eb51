"""Knowledge assets, field notes and tests of change (built by the knowledge issue)."""
