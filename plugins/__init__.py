"""First-party plugins, one subpackage per paper (registered in pyproject.toml like any other)."""
