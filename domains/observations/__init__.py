"""Source variables and their observed values per unit and year."""
