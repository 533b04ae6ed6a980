from __future__ import annotations

from pathlib import Path

import pytest

from ingest import backoffice


def test_staff_upload_a_file_then_read_an_order_and_the_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partner_file = tmp_path / "day1.csv"
    partner_file.write_text("order_id,sku,quantity\nF-1,WIDGET,2\nF-2,GADGET,5\n", encoding="utf-8")
    assert backoffice.main(["upload", str(partner_file)]) == 0
    assert backoffice.main(["order", "F-2"]) == 0
    assert backoffice.main(["nightly"]) == 0
    assert backoffice.main(["summary", "2024-03-01"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 new order(s) from incoming/day1.csv",
        "F-2: 5 x GADGET (upload:partner-uploads/incoming/day1.csv, 2024-03-01)",
        "0 order(s) summarised",
        "2024-03-01: 2 order(s), 7 unit(s)",
    ]


def test_a_refused_request_is_an_error_message_and_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert backoffice.main(["order", "missing"]) == 1
    assert capsys.readouterr().err == "error: no order 'missing'\n"
