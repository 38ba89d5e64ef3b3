"""Area register: the official list of areas of territorial units (Wykaz powierzchni, XLSX)."""
