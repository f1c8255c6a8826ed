"""The backend tests import guide_hosts (the guide's scenarios as host states) from here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
