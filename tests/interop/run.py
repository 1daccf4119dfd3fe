#!/usr/bin/env python3
"""Every interop check: the fixtures built once with the built-in venues, then each output
read by the real program that consumes it. `python3 tests/interop/run.py` (after
`python3 tests/interop/tools.py install`); .ci/run runs it after `cargo test`.

Each check runs on the venues `repurpose venues` lists; one whose venue does not exist yet
says NOT RUN, and the closing lines say which ran. A venue in REQUIRED_VENUES that is not
listed fails the run, so a venue that is renamed or dropped cannot silently stop being checked.
"""

import sys

import check_bbcode
import check_chromium
import check_commonmark
import check_hugo
import check_vnu
import common

REQUIRED_VENUES = ["article", "blog", "discourse", "forum", "hugo", "newsletter"]

CHECKS = [check_vnu, check_bbcode, check_commonmark, check_hugo, check_chromium]

if __name__ == "__main__":
    sys.exit(common.run_checks(CHECKS, REQUIRED_VENUES))
