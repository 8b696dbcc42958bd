"""The store's security briefing: profile, keyholders, safes."""
