"""Region settings: what a region of an association runs on (its own value where set, else the association's)."""

from regions.settings import MAX_K, MIN_K, WEEKDAYS, RegionSettings, effective_settings

__all__ = ["MAX_K", "MIN_K", "WEEKDAYS", "RegionSettings", "effective_settings"]
