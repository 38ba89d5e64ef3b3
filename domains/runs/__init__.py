"""Load runs and data releases: what was loaded, when, from which file, and what it changed."""
