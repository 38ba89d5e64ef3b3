"""What Miarka measures and keeps: units, schools, indicators, costs, groups, runs and releases."""
