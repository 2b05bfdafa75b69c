"""The method's vocabulary as the public pages present it (text only; the scoring lives elsewhere)."""

CITY_TYPES = []
DIMENSIONS = []
JOURNEY = []
