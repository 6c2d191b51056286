"""Bundled data files (the offline PyPI <-> conda name map); loaded lazily by the modules that need them."""
