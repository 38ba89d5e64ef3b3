"""What Miarka measures and keeps: units, runs, releases (and later indicators), as data and SQL."""
