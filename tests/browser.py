"""The system Chromium, driven by Playwright's Python package (never `playwright install`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]

# On a developer's machine without Chromium these tests are skipped; in CI (which installs it
# with .ci/install-chromium) a missing browser is a failure, never a silent skip.
requires_chromium = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                       reason="no /usr/bin/chromium (run .ci/install-chromium)")
