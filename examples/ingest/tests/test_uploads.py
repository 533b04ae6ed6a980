from __future__ import annotations

from collections.abc import Callable

import pytest

from ingest import orders, uploads
from ingest.errors import UnknownOrder, UploadRejected

Upload = Callable[[str, str, str], int]
GOOD = "order_id,sku,quantity\nF-1,WIDGET,2\nF-2,GADGET,5\nF-3,WIDGET,1\n"


def test_every_order_of_a_file_is_imported(upload: Upload) -> None:
    size = upload("partner-uploads", "incoming/day1.csv", GOOD)
    assert uploads.ingest_file("partner-uploads", "incoming/day1.csv", size) == 3
    assert orders.get_order("F-2").source == "upload:partner-uploads/incoming/day1.csv"


def test_the_same_file_again_adds_nothing(upload: Upload) -> None:
    size = upload("partner-uploads", "incoming/day1.csv", GOOD)
    uploads.ingest_file("partner-uploads", "incoming/day1.csv", size)
    assert uploads.ingest_file("partner-uploads", "incoming/day1.csv", size) == 0


def test_an_empty_file_is_nothing_to_do_and_is_not_read() -> None:
    assert uploads.ingest_file("partner-uploads", "never/written.csv", 0) == 0


def test_an_oversized_file_is_rejected_before_it_is_read() -> None:
    with pytest.raises(UploadRejected, match="over the"):
        uploads.ingest_file("partner-uploads", "never/written.csv", uploads.MAX_UPLOAD_BYTES + 1)


@pytest.mark.parametrize("text", ["id,sku,qty\nF-1,WIDGET,2\n", GOOD + "F-4,WIDGET,many\n", GOOD + "F-5,WIDGET,0\n"])
def test_a_file_with_a_bad_row_imports_nothing(text: str, upload: Upload) -> None:
    size = upload("partner-uploads", "incoming/bad.csv", text)
    with pytest.raises(UploadRejected) as caught:
        uploads.ingest_file("partner-uploads", "incoming/bad.csv", size)
    assert caught.value.key == "incoming/bad.csv"
    with pytest.raises(UnknownOrder):
        orders.get_order("F-1")
