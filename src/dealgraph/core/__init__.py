"""The pure domain core: no database, web or CLI imports here."""
