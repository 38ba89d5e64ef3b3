"""Administration: API keys for the endpoints that change or reveal operations."""
