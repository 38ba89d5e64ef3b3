"""Indicators: definitions as data (catalogue), the SQL engine, and reads of their values."""
