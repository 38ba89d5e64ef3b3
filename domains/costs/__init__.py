"""Total cost of a service: budget reports line by line, SIO volumes and the calculator."""
