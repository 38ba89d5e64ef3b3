"""Loader jobs: read a published source, validate it, stage it with COPY, publish in one go."""
