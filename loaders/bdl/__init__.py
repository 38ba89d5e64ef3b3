"""GUS Bank Danych Lokalnych (BDL): the API client, its cache, and readers of what it returns."""
