# module: shop.reporting.jobs   service: reporting   keep: periodic audited   registers: rollup=periodic expire=periodic   wraps: rollup=audited place=audited
import functools

JOBS = {}


def periodic(every_minutes: int):
    """Register the decorated function as a job."""

    def register(fn):
        JOBS[fn.__name__] = fn
        return fn

    return register


def audited(action: str):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        return wrapper

    return decorate


@periodic(every_minutes=60)
@audited("report.rollup")
def rollup(day: str) -> int:
    return 0


@periodic(every_minutes=5)
def expire(now: str) -> int:
    return 1


@audited("order.placed")
def place(order_id: int) -> int:
    return order_id
# output
# module: shop.reporting.jobs   service: reporting   keep: periodic audited   registers: rollup=periodic expire=periodic   wraps: rollup=audited place=audited
import functools
from m2l_runtime import client as _m2l_client

JOBS = {}


def periodic(every_minutes: int):
    """Register the decorated function as a job."""

    def register(fn):
        JOBS[fn.__name__] = fn
        return fn

    return register


def audited(action: str):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        return wrapper

    return decorate


# mono2lambda: dropped @audited("report.rollup") (it runs in the service, around the operation)
@periodic(every_minutes=60)
def rollup(day: str) -> int:
    return _m2l_client.call("reporting", "shop.reporting.jobs.rollup", rollup, {"day": day})


@periodic(every_minutes=5)
def expire(now: str) -> int:
    return _m2l_client.call("reporting", "shop.reporting.jobs.expire", expire, {"now": now})


# mono2lambda: dropped @audited("order.placed") (it runs in the service, around the operation)
def place(order_id: int) -> int:
    return _m2l_client.call("reporting", "shop.reporting.jobs.place", place, {"order_id": order_id})
