"""IPS Field Log: the phone app (domain, encrypted store, UI)."""
