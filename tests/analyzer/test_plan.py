"""The plan file: parsing, validation with line numbers, round trips, assignment, edits, generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import files as files_module
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement, units_of
from analyzer.boundaries.plan import (
    Invocation,
    PlanDocument,
    assign,
    check_plan,
    keep,
    merge,
    move,
    parse_plan,
    plan_from_placement,
    read_plan,
    rename,
    share,
    split,
    write_plan,
)
from analyzer.boundaries.plan.yamltree import dump
from analyzer.errors import InputError, PlanError

from .snippets import graph_of

EXAMPLE = """\
# Service boundaries for shop. Edit freely: comments are kept by every mono2lambda command.
version: 1
source: shop            # the analyzed folder's name (the graph's root)
unit: module            # or: class
services:
  orders:
    modules:            # module names or globs (fnmatch: shop.orders.*)
      - shop.orders.*
      # the cart belongs with orders
      - shop.cart       # cart eol
    pinned:             # units `propose` must keep in this service (optional)
      - shop.orders.checkout
    memory: 512         # MB, 128..10240 (optional, default 512)
    timeout: 30         # seconds, 1..900 (optional, default 30)
    operations:         # optional; computed from the graph when absent
      shop.orders.checkout.place_order:
        invocation: sync
      shop.orders.checkout.expire_holds:
        invocation: schedule
        expression: rate(1 hour)
  # payments talk to the bank
  payments:
    modules:
      - shop.payments   # the gateway
monolith:               # units that stay in the monolith
  - shop.web.*
shared:                 # libraries copied into each service that needs them
  - shop.common.*
"""
SHOP = {
    "shop/__init__.py": "",
    "shop/orders/__init__.py": "",
    "shop/orders/checkout.py": "def place_order():\n    return 1\n\n\ndef expire_holds():\n    return 2\n",
    "shop/orders/history.py": "def recent():\n    return []\n",
    "shop/cart.py": "def add():\n    return 1\n",
    "shop/payments.py": "def charge():\n    return 1\n",
    "shop/web/__init__.py": "",
    "shop/web/views.py": "def home():\n    return 1\n",
    "shop/common/__init__.py": "",
    "shop/common/money.py": "def cents():\n    return 1\n",
}
COMMENTS = ["# Service boundaries for shop.", "# the analyzed folder's name", "# MB, 128..10240",
            "# payments talk to the bank", "# units that stay in the monolith",
            "# libraries copied into each service"]


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    built = graph_of(SHOP)
    built.meta["root"] = "shop"
    return built


def error_of(text: str) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "b.yaml")
    return caught.value


def lines_of(text: str) -> list[int]:
    return [problem.line for problem in error_of(text).problems]


def assert_comments_kept(text: str, *extra: str) -> None:
    for comment in COMMENTS + list(extra):
        assert comment in text, comment


# -- model and round trip ---------------------------------------------------------------


def test_the_example_parses_into_the_model() -> None:
    plan = parse_plan(EXAMPLE).plan
    orders = plan.service("orders")
    assert orders is not None
    assert plan.source == "shop" and plan.unit == "module" and plan.version == 1
    assert orders.modules == ("shop.orders.*", "shop.cart") and orders.pinned == ("shop.orders.checkout",)
    assert orders.operations is not None
    assert orders.operations[1].invocation == Invocation("schedule", (("expression", "rate(1 hour)"),))
    assert plan.service("payments") is not None and plan.service("payments").operations is None  # type: ignore[union-attr]
    assert plan.monolith == ("shop.web.*",) and plan.shared == ("shop.common.*",)


def test_defaults() -> None:
    plan = parse_plan("source: shop\nservices:\n  a:\n    modules: [shop.a]\n").plan
    service = plan.services[0]
    assert (plan.version, plan.unit, service.memory, service.timeout, service.pinned) == (1, "module", 512, 30, ())
    assert plan.monolith == () and plan.shared == ()


def test_round_trip_is_byte_identical() -> None:
    doc = parse_plan(EXAMPLE)
    assert doc.dumps() == EXAMPLE
    assert dump(doc.edited_tree(), doc.layout) == EXAMPLE  # the dumper itself, not only the unchanged text


def test_round_trip_keeps_another_indentation() -> None:
    text = "version: 1\nsource: shop\nservices:\n    a:\n        modules:\n        - shop.a  # x\nmonolith:\n- shop.b\n"
    doc = parse_plan(text)
    assert dump(doc.edited_tree(), doc.layout) == text


def test_read_and_write(tmp_path: Path) -> None:
    path = tmp_path / "boundaries.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    doc = read_plan(path)
    write_plan(path, move(doc, "shop.orders.history", "payments").doc)
    assert "shop.orders.history" in read_plan(path).plan.service("payments").modules  # type: ignore[union-attr]
    assert not [p for p in tmp_path.iterdir() if p.name != "boundaries.yaml"]  # no temporary file left


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "boundaries.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    doc = move(read_plan(path), "shop.orders.history", "payments").doc

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files_module.os, "replace", fail)
    with pytest.raises(OSError):
        write_plan(path, doc)
    assert path.read_text(encoding="utf-8") == EXAMPLE
    assert [p.name for p in tmp_path.iterdir()] == ["boundaries.yaml"]


def test_write_failing_in_the_middle_keeps_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "boundaries.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    doc = keep(read_plan(path), "shop.cart").doc
    monkeypatch.setattr(type(doc), "dumps", lambda self: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        write_plan(path, doc)
    assert path.read_text(encoding="utf-8") == EXAMPLE


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such plan file"):
        read_plan(tmp_path / "nope.yaml")


# -- structural validation, each with its line ------------------------------------------


@pytest.mark.parametrize(("text", "line", "words"), [
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    memroy: 512\n", 6, "did you mean 'memory'"),
    ("version: 1\nsource: shop\nservise: {}\n", 3, "did you mean 'services'"),
    ("version: 2\nsource: shop\n", 1, "unsupported plan version"),
    ("version: 1\nsource: shop\nunit: function\n", 3, "unknown unit"),
    ("version: 1\nservices: {}\n", 1, "`source`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    memory: 64\n", 6, "128 to 10240"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    timeout: 901\n", 6, "1 to 900"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    timeout: '30'\n", 6, "whole number"),
    ("version: 1\nsource: shop\nservices:\n  Orders:\n    modules: [x]\n", 4, "invalid service name"),
    ("version: 1\nsource: shop\nservices:\n  monolith:\n    modules: [x]\n", 4, "cannot be a service name"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    memory: 512\n", 4, "has no `modules:`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: shop.a\n", 5, "must be a list"),
    ("version: 1\nsource: shop\nmonolith:\n  - 12\n", 4, "not a module name"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: sqs2\n", 8, "did you mean 'sqs'"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: sqs\n        queu: q\n", 9, "did you mean 'queue'"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: schedule\n", 7, "needs `expression:`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: schedule\n        expression: every hour\n", 9, "rate(1 hour)"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: http\n        method: FETCH\n        path: /x\n", 9, "bad `method`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: http\n        method: GET\n", 7, "needs `path:`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: sqs\n        batch_size: 0\n", 9, "batch size"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f:\n"
     "        invocation: sync\n        queue: q\n", 9, "unknown setting 'queue'"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n      f: sync\n", 7,
     "needs an `invocation:`"),
    ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x\n", 6, "invalid YAML"),
    ("version: 1\nsource: shop\nsource: other\n", 3, "duplicate key"),
    ("- just\n- a list\n", 1, "must be a mapping"),
    ("", 1, "empty"),
])
def test_structural_errors_point_at_the_line(text: str, line: int, words: str) -> None:
    error = error_of(text)
    assert error.problems[0].line == line, str(error)
    assert words in str(error)
    assert str(error).startswith(f"b.yaml:{line}: ")
    assert error.exit_code == 2


def test_every_structural_problem_is_reported_at_once() -> None:
    text = "version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    memory: 1\n    timeout: 0\n"
    assert lines_of(text) == [6, 7]
    assert str(error_of(text)).splitlines()[1].startswith("b.yaml:7: ")


def test_valid_triggers_parse() -> None:
    text = ("version: 1\nsource: shop\nservices:\n  a:\n    modules: [x]\n    operations:\n"
            "      f: {invocation: sqs, queue: q, batch_size: 10}\n"
            "      g: {invocation: eventbridge, pattern: {source: [shop]}, bus: default}\n"
            "      h: {invocation: s3, bucket: b, events: ['s3:ObjectCreated:*'], prefix: in/}\n"
            "      i: {invocation: http, method: POST, path: /orders}\n"
            "      j: {invocation: schedule, expression: 'cron(0 12 * * ? *)'}\n"
            "      k: {invocation: async}\n      l: {invocation: sns, topic: t}\n"
            "      m: {invocation: dynamodb, table: t}\n      n: {invocation: kinesis, stream: s}\n")
    operations = parse_plan(text).plan.services[0].operations or ()
    assert [op.invocation.kind for op in operations] == ["sqs", "eventbridge", "s3", "http", "schedule", "async",
                                                         "sns", "dynamodb", "kinesis"]
    assert operations[1].invocation.setting("pattern") == {"source": ["shop"]}


# -- semantic validation ----------------------------------------------------------------


def test_the_example_fits_its_graph(graph) -> None:  # type: ignore[no-untyped-def]
    assert check_plan(parse_plan(EXAMPLE), graph) == []


def test_semantic_problems_with_lines(graph) -> None:  # type: ignore[no-untyped-def]
    text = ("version: 1\nsource: shoppe\nservices:\n  a:\n    modules:\n      - shop.payment\n      - shop.nothing.*\n"
            "      - shop.cart\n    pinned: [shop.web.views]\n    operations:\n"
            "      shop.payments.charg: {invocation: sync}\n      shop.web.views.home: {invocation: sync}\n"
            "monolith:\n  - shop.cart\n")
    problems = {(p.line, p.severity): p for p in check_plan(parse_plan(text), graph)}
    assert set(problems) == {(2, "warning"), (6, "error"), (7, "warning"), (9, "error"), (11, "error"),
                             (12, "error"), (14, "error")}
    assert "did you mean shop.payments?" in problems[(6, "error")].hint
    assert "(line 8)" in problems[(14, "error")].message and "(line 14)" in problems[(14, "error")].message
    assert "shop.payments.charge" in problems[(11, "error")].hint
    assert "puts in 'monolith'" in problems[(12, "error")].message


# -- assignment -------------------------------------------------------------------------


def plan_of(services: str, monolith: str = "[]", shared: str = "[]") -> PlanDocument:
    return parse_plan(f"version: 1\nsource: shop\nservices:\n{services}monolith: {monolith}\nshared: {shared}\n")


UNITS = ["shop", "shop.orders", "shop.orders.admin.users", "shop.orders.checkout", "shop.web.views"]


def test_exact_beats_glob_and_longer_glob_beats_shorter() -> None:
    doc = plan_of("  a:\n    modules: ['shop.*']\n  b:\n    modules: ['shop.orders.*']\n"
                  "  c:\n    modules: ['shop.orders.admin.*', shop.web.views]\n", shared="['shop.web.*']")
    placement = assign(doc.plan, UNITS)
    assert dict(placement.units) == {"shop": MONOLITH, "shop.orders": "a", "shop.orders.admin.users": "c",
                                     "shop.orders.checkout": "b", "shop.web.views": "c"}


def test_assign_is_total() -> None:
    placement = assign(plan_of("  a:\n    modules: [shop.orders]\n", shared="[shop.web.views]").plan, UNITS)
    assert set(placement.units) == set(UNITS)
    assert placement.place_of("shop.orders.checkout") == MONOLITH
    assert placement.members(SHARED) == ("shop.web.views",)


def test_equal_entries_in_two_places_are_an_error() -> None:
    doc = plan_of("  a:\n    modules: ['shop.orders.*']\n", monolith="['shop.orders.*']")
    with pytest.raises(PlanError, match=r"shop.orders.admin.users is matched equally by 'shop.orders.\*' in "
                                        r"service 'a' and 'shop.orders.\*' in monolith"):
        assign(doc.plan, UNITS)
    with pytest.raises(PlanError, match=r"in service 'a' and 'shop\.orders' in shared"):
        assign(plan_of("  a:\n    modules: [shop.orders]\n", shared="[shop.orders]").plan, UNITS)


# -- edits keep comments ----------------------------------------------------------------


def test_move_to_a_new_service_keeps_comments() -> None:
    edit = move(parse_plan(EXAMPLE), "shop.cart", "basket", new=True)
    text = edit.doc.dumps()
    assert_comments_kept(text, "# the cart belongs with orders", "# cart eol")
    assert edit.doc.plan.service("basket").modules == ("shop.cart",)  # type: ignore[union-attr]
    assert "shop.cart" not in edit.doc.plan.service("orders").modules  # type: ignore[union-attr]
    assert edit.doc.plan.service_names() == ["basket", "orders", "payments"]
    assert edit.change == "moved shop.cart from orders to basket"


def test_move_out_of_a_glob_adds_an_exact_entry() -> None:
    edit = move(parse_plan(EXAMPLE), "shop.orders.history", "payments")
    assert edit.doc.plan.service("payments").modules == ("shop.orders.history", "shop.payments")  # type: ignore[union-attr]
    assert "shop.orders.*" in edit.doc.plan.service("orders").modules  # type: ignore[union-attr]
    assert assign(edit.doc.plan, ["shop.orders.history"]).place_of("shop.orders.history") == "payments"
    assert_comments_kept(edit.doc.dumps(), "# the gateway")


def test_move_takes_pins_and_operations_along() -> None:
    edit = move(parse_plan(EXAMPLE), "shop.orders.checkout", "checkout", new=True)
    checkout = edit.doc.plan.service("checkout")
    assert checkout is not None and checkout.pinned == ("shop.orders.checkout",)
    assert [op.function for op in checkout.operations or ()] == ["shop.orders.checkout.place_order",
                                                                 "shop.orders.checkout.expire_holds"]
    assert edit.doc.plan.service("orders").operations is None  # type: ignore[union-attr]
    assert_comments_kept(edit.doc.dumps())


def test_moving_the_last_module_removes_the_service() -> None:
    edit = keep(parse_plan(EXAMPLE), "shop.payments")
    assert edit.doc.plan.service_names() == ["orders"]
    assert edit.doc.plan.monolith == ("shop.payments", "shop.web.*")
    assert_comments_kept(edit.doc.dumps(), "# cart eol")


def test_keep_and_share_keep_comments() -> None:
    kept = keep(parse_plan(EXAMPLE), "shop.cart")
    assert "shop.cart" in kept.doc.plan.monolith
    assert_comments_kept(kept.doc.dumps(), "# the cart belongs with orders", "# cart eol")
    shared = share(kept.doc, "shop.cart")
    assert shared.doc.plan.shared == ("shop.cart", "shop.common.*") and "shop.cart" not in shared.doc.plan.monolith
    assert_comments_kept(shared.doc.dumps(), "# cart eol")


def test_merge_keeps_comments() -> None:
    edit = merge(parse_plan(EXAMPLE), "orders", "payments")
    assert edit.doc.plan.service_names() == ["orders"]
    assert edit.doc.plan.service("orders").modules == ("shop.orders.*", "shop.cart", "shop.payments")  # type: ignore[union-attr]
    assert_comments_kept(edit.doc.dumps(), "# the gateway")


def test_split_keeps_comments() -> None:
    edit = split(parse_plan(EXAMPLE), "orders", {"basket": ["shop.cart"]})
    assert edit.doc.plan.service("basket").modules == ("shop.cart",)  # type: ignore[union-attr]
    assert edit.doc.plan.service("orders").modules == ("shop.orders.*",)  # type: ignore[union-attr]
    assert_comments_kept(edit.doc.dumps(), "# cart eol")


def test_rename_keeps_order_and_comments() -> None:
    edit = rename(parse_plan(EXAMPLE), "payments", "billing")
    assert edit.doc.plan.service_names() == ["orders", "billing"]
    assert edit.doc.dumps() == EXAMPLE.replace("  payments:\n", "  billing:\n")


def test_an_edit_leaves_the_original_document_alone() -> None:
    doc = parse_plan(EXAMPLE)
    move(doc, "shop.cart", "basket", new=True)
    assert doc.dumps() == EXAMPLE and dump(doc.edited_tree(), doc.layout) == EXAMPLE


def test_moving_where_it_already_is_changes_nothing() -> None:
    doc = parse_plan(EXAMPLE)
    edit = move(doc, "shop.cart", "orders")
    assert edit.doc is doc and "nothing changed" in edit.change


@pytest.mark.parametrize(("call", "words"), [
    (lambda doc: move(doc, "shop.cart", "Bad Name"), "invalid service name"),
    (lambda doc: move(doc, "shop.cart", "monolith"), "plan keep"),
    (lambda doc: move(doc, "shop.cart", "paymnts"), "no service named 'paymnts'"),
    (lambda doc: move(doc, "shop.cart", "payments", new=True), "'payments' already exists"),
    (lambda doc: move(doc, "shop.cart", "Bad Name", new=True), "invalid service name"),
    (lambda doc: merge(doc, "orders", "nope"), "no service named 'nope'"),
    (lambda doc: merge(doc, "orders", "orders"), "into itself"),
    (lambda doc: rename(doc, "orders", "payments"), "already exists"),
    (lambda doc: split(doc, "orders", {"x": ["shop.payments"]}), "not in service orders"),
    (lambda doc: split(doc, "orders", {}), "nothing to split"),
])
def test_bad_edits_say_how_to_fix(call, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanError, match=words) as caught:
        call(parse_plan(EXAMPLE))
    assert caught.value.hint


def test_moving_the_operations_keeps_the_comment_under_them() -> None:
    text = move(parse_plan(EXAMPLE), "shop.orders.checkout", "payments").doc.dumps()
    assert "    timeout: 30         # seconds, 1..900 (optional, default 30)\n  # payments talk to the bank\n" \
           "  payments:\n" in text
    assert text.count("# payments talk to the bank") == 1


# -- a service must exist, or be asked for with new=True ---------------------------------


def test_moving_to_an_unknown_service_suggests_the_closest_and_new() -> None:
    with pytest.raises(PlanError, match="no service named 'paymnts'") as caught:
        move(parse_plan(EXAMPLE), "shop.cart", "paymnts")
    assert caught.value.hint == ("did you mean payments? services: orders, payments; pass --new to create a "
                                 "service named paymnts")
    assert caught.value.exit_code == 2


def test_new_refuses_a_service_that_exists() -> None:
    with pytest.raises(PlanError, match="service 'payments' already exists") as caught:
        move(parse_plan(EXAMPLE), "shop.cart", "payments", new=True)
    assert "drop --new" in (caught.value.hint or "")


# -- globs act on every unit they match --------------------------------------------------


@pytest.fixture(scope="module")
def units(graph) -> list[str]:  # type: ignore[no-untyped-def]
    return units_of(graph)


def test_a_glob_moves_exactly_listed_units_too(units: list[str]) -> None:
    text = EXAMPLE.replace("      - shop.payments   # the gateway\n",
                           "      - shop.orders.history  # listed by name\n      - shop.payments   # the gateway\n")
    edit = keep(parse_plan(text), "shop.orders.*", units=units)
    assert edit.change == ("moved 2 modules matching shop.orders.* to monolith: 1 from orders, 1 from payments; "
                           "2 operations dropped")
    placement = assign(edit.doc.plan, units)
    assert placement.place_of("shop.orders.history") == placement.place_of("shop.orders.checkout") == MONOLITH
    assert edit.doc.plan.monolith == ("shop.orders.*", "shop.web.*")  # the glob moved, no name added
    assert edit.doc.plan.service("payments").modules == ("shop.payments",)  # type: ignore[union-attr]
    assert edit.doc.plan.service("orders").modules == ("shop.cart",)  # type: ignore[union-attr]
    assert_comments_kept(edit.doc.dumps(), "# the cart belongs with orders", "# cart eol", "# the gateway")


def test_a_glob_moved_into_a_service_takes_pins_and_operations(units: list[str]) -> None:
    edit = move(parse_plan(EXAMPLE), "shop.orders.*", "payments", units=units)
    payments = edit.doc.plan.service("payments")
    assert payments is not None and payments.modules == ("shop.orders.*", "shop.payments")
    assert payments.pinned == ("shop.orders.checkout",) and len(payments.operations or ()) == 2
    assert edit.change == "moved 2 modules matching shop.orders.* to payments: 2 from orders"
    text = edit.doc.dumps()
    assert_comments_kept(text, "# the cart belongs with orders", "# cart eol", "# the gateway")
    assert "  # payments talk to the bank\n  payments:\n" in text  # not carried off with the operations


def test_a_longer_glob_elsewhere_gets_exact_entries(units: list[str]) -> None:
    doc = plan_of("  orders:\n    modules: ['shop.orders*', shop.cart]\n", monolith="['shop.web*']")
    edit = keep(doc, "shop.*.*", units=units)
    assert edit.doc.plan.monolith == ("shop.*.*", "shop.orders.checkout", "shop.orders.history", "shop.web*")
    assert edit.doc.plan.service("orders").modules == ("shop.orders*", "shop.cart")  # type: ignore[union-attr]
    assert edit.change == "moved 2 modules matching shop.*.* to monolith: 2 from orders; 2 already there"
    placement = assign(edit.doc.plan, units)
    assert [unit for unit in units if placement.place_of(unit) != MONOLITH] == ["shop.cart", "shop.orders"]


def test_a_glob_left_with_nothing_to_place_is_removed(units: list[str]) -> None:
    edit = keep(parse_plan(EXAMPLE), "shop.orders*", units=units)
    assert edit.change == ("moved 2 modules matching shop.orders* to monolith: 2 from orders; 1 already there; "
                           "removed shop.orders.* (in orders): nothing else matched; 2 operations dropped")
    assert edit.doc.plan.service("orders").modules == ("shop.cart",)  # type: ignore[union-attr]
    assert edit.doc.plan.monolith == ("shop.orders*", "shop.web.*")
    assert_comments_kept(edit.doc.dumps(), "# the cart belongs with orders", "# cart eol")


def test_a_service_a_glob_empties_is_removed(units: list[str]) -> None:
    edit = move(parse_plan(EXAMPLE), "shop.pay*", "orders", units=units)
    assert edit.change == "moved 1 module matching shop.pay* to orders: 1 from payments; payments had nothing " \
                          "left and was removed"
    assert edit.doc.plan.service_names() == ["orders"]
    assert edit.doc.plan.service("orders").modules == ("shop.orders.*", "shop.cart", "shop.pay*")  # type: ignore[union-attr]
    assert_comments_kept(edit.doc.dumps(), "# the cart belongs with orders", "# cart eol")


def test_share_and_a_new_service_take_globs(units: list[str]) -> None:
    edit = share(parse_plan(EXAMPLE), "shop.c*", units=units)
    assert edit.doc.plan.shared == ("shop.c*", "shop.common.*")
    assert edit.change == "moved 2 modules matching shop.c* to shared: 1 from orders, 1 from monolith; " \
                          "1 already there"
    edit = move(parse_plan(EXAMPLE), "shop.[cp]a*", "basket", units=units, new=True)
    assert edit.doc.plan.service("basket").modules == ("shop.[cp]a*",)  # type: ignore[union-attr]
    assert edit.doc.plan.service_names() == ["basket", "orders"]


def test_a_glob_whose_units_are_all_in_place_changes_nothing(units: list[str]) -> None:
    doc = parse_plan(EXAMPLE)
    edit = keep(doc, "shop.w*", units=units)
    assert edit.doc is doc and edit.change == "shop.w* matches 2 modules, all already in monolith; nothing changed"


def test_a_glob_that_matches_nothing_suggests_names(units: list[str]) -> None:
    with pytest.raises(PlanError, match=r"the glob shop\.ordrs\.\* matches no module of the graph") as caught:
        keep(parse_plan(EXAMPLE), "shop.ordrs.*", units=units)
    assert "did you mean shop.orders" in (caught.value.hint or "")
    with pytest.raises(PlanError) as caught:
        move(parse_plan(EXAMPLE), "zzz*", "orders", units=units)
    assert "`*` matches any characters" in (caught.value.hint or "")


def test_a_glob_needs_the_units() -> None:
    with pytest.raises(ValueError, match="needs the graph's units"):
        keep(parse_plan(EXAMPLE), "shop.*")


# -- generating a plan from a placement -------------------------------------------------

PLACEMENT = Placement({"shop.orders.checkout": "orders", "shop.orders.history": "orders", "shop.cart": "orders",
                       "shop.payments": "payments", "shop.web.views": MONOLITH, "shop.common.money": SHARED,
                       "shop": MONOLITH})


def test_a_new_plan_lists_exact_names_sorted() -> None:
    doc = plan_from_placement(PLACEMENT, "shop", "module", None)
    assert doc.dumps().startswith("# Service boundaries for shop. Edit freely")
    assert doc.plan.service("orders").modules == ("shop.cart", "shop.orders.checkout", "shop.orders.history")  # type: ignore[union-attr]
    assert doc.plan.shared == ("shop.common.money",) and doc.plan.monolith == ()
    assert dict(assign(doc.plan, list(PLACEMENT.units)).units) == dict(PLACEMENT.units)


def test_a_plan_from_the_previous_one_keeps_comments_settings_and_globs() -> None:
    previous = parse_plan(EXAMPLE)
    placement = PLACEMENT.moved(["shop.cart"], "payments")
    doc = plan_from_placement(placement, "shop", "module", previous)
    orders, payments = doc.plan.service("orders"), doc.plan.service("payments")
    assert orders is not None and payments is not None
    assert orders.modules == ("shop.orders.*",) and orders.pinned == ("shop.orders.checkout",)
    assert payments.modules == ("shop.cart", "shop.payments")
    assert orders.operations == previous.plan.service("orders").operations  # type: ignore[union-attr]
    assert doc.plan.monolith == ("shop.web.*",) and doc.plan.shared == ("shop.common.*",)
    assert_comments_kept(doc.dumps())
    assert dict(assign(doc.plan, list(placement.units)).units) == dict(placement.units)


def test_a_glob_that_no_longer_fits_is_replaced_by_exact_names() -> None:
    placement = PLACEMENT.moved(["shop.orders.history"], "payments")
    doc = plan_from_placement(placement, "shop", "module", parse_plan(EXAMPLE))
    assert doc.plan.service("orders").modules == ("shop.cart", "shop.orders.checkout")  # type: ignore[union-attr]
    assert dict(assign(doc.plan, list(placement.units)).units) == dict(placement.units)


def test_unchanged_placement_gives_the_same_text() -> None:
    previous = parse_plan(EXAMPLE)
    placement = assign(previous.plan, list(PLACEMENT.units))
    assert plan_from_placement(placement, "shop", "module", previous).dumps() == EXAMPLE
