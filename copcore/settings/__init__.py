"""Settings: ``base`` holds everything; ``development``, ``test``, ``production`` adjust it."""
