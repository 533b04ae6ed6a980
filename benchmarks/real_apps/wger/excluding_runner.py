"""Django's test runner, less the tests listed in a file (the baseline's known offline failures).

    PYTHONPATH=<this folder> python manage.py test --testrunner excluding_runner.ExcludingRunner

The file is $EXCLUDED_TESTS_FILE (default: excluded-tests.txt beside this module): one test
id a line (`package.module.Class.method`, as unittest prints it), `#` starts a comment.
An id that matches no test is reported, so a stale list is noticed.
"""

import os
import sys
import unittest
from pathlib import Path

from django.test.runner import DiscoverRunner
from django.test.utils import iter_test_cases


def excluded_ids():
    path = Path(os.environ.get("EXCLUDED_TESTS_FILE") or Path(__file__).with_name("excluded-tests.txt"))
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


class ExcludingRunner(DiscoverRunner):
    def load_tests_for_label(self, label, discover_kwargs):
        excluded = excluded_ids()
        kept, dropped = [], []
        for test in iter_test_cases(super().load_tests_for_label(label, discover_kwargs)):
            (dropped if test.id() in excluded else kept).append(test)
        for test_id in sorted(t.id() for t in dropped):
            print(f"excluded: {test_id}", file=sys.stderr)
        for test_id in sorted(excluded - {t.id() for t in dropped}):
            print(f"warning: excluded test not found: {test_id}", file=sys.stderr)
        return unittest.TestSuite(kept)
