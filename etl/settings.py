"""Where things live: the warehouse path, the data folder, the limits on input."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SAMPLES_DIR = DATA_DIR / "samples"
CATALOG_FILE = DATA_DIR / "catalog.toml"
# FAZHI_DEMO=district: the demo of a whole district (data/district/: 浈江区's eight towns and
# streets, 十里亭镇 among them), with its own village list and warehouse.
DISTRICT_DEMO = os.environ.get("FAZHI_DEMO", "").strip().lower() == "district"
HOME_DIR = DATA_DIR / "district" if DISTRICT_DEMO else DATA_DIR
VILLAGES_FILE = Path(os.environ.get("FAZHI_VILLAGES", HOME_DIR / "villages.csv"))

# Limits that keep a hostile or broken file from costing memory or time.
# One workbook at most: 20 MB as a person counts them (20,000,000 bytes). The dashboard's
# uploader (.streamlit/config.toml, server.maxUploadSize) and every message say the same.
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1_000_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # a real submission is well under 1 MB
MAX_COMPRESSION_RATIO = 200
MAX_SHEETS = 50
MAX_ROWS = 5000
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 15


def db_path() -> Path:
    """The warehouse file: FAZHI_DB if set, else data/warehouse.duckdb (data/district/… for
    the district demo)."""
    configured = os.environ.get("FAZHI_DB")
    return Path(configured) if configured else HOME_DIR / "warehouse.duckdb"


def lake_path() -> Path | None:
    """FAZHI_LAKE: the dashboard reads this Parquet lake (python -m etl export) instead of the
    warehouse, read-only (no uploads, no administration). None when not set."""
    configured = os.environ.get("FAZHI_LAKE", "").strip()
    return Path(configured) if configured else None
