# module: shop.mail.tasks   service: mail   async: send_digest
import typing
import warnings
from typing import overload

from celery import shared_task

from shop.celery_app import app


@shared_task
def send_receipt(order_id: int) -> None:
    """Mail the receipt."""
    print(order_id)


@app.task(autoretry_for=(OSError,), retry_backoff=True)
def send_digest(day: str, *, force: bool = False) -> int:
    return 0


@typing.no_type_check
@warnings.deprecated("use send_receipt")
def old_receipt(order_id: int) -> None:
    send_receipt(order_id)


@overload
def lookup(key: int) -> int: ...
@overload
def lookup(key: str) -> str: ...
def lookup(key):
    return key


@app.task
@timed("mail.bounce")
def handle_bounce(address: str) -> None:
    pass


@_private_decorator
def _helper(x: int) -> int:
    return x
# output
# module: shop.mail.tasks   service: mail   async: send_digest
import typing
import warnings
from typing import overload

from celery import shared_task

from shop.celery_app import app
from m2l_runtime import client as _m2l_client


@_m2l_client.task("mail", "shop.mail.tasks.send_receipt")
def send_receipt(order_id: int) -> None:
    """Mail the receipt."""
    return _m2l_client.call("mail", "shop.mail.tasks.send_receipt", send_receipt, {"order_id": order_id})


@_m2l_client.task("mail", "shop.mail.tasks.send_digest")
def send_digest(day: str, *, force: bool = False) -> int:
    return _m2l_client.call(
        "mail",
        "shop.mail.tasks.send_digest",
        send_digest,
        {
            "day": day,
            "force": force,
        },
        invocation="async",
    )


@typing.no_type_check
@warnings.deprecated("use send_receipt")
def old_receipt(order_id: int) -> None:
    return _m2l_client.call("mail", "shop.mail.tasks.old_receipt", old_receipt, {"order_id": order_id})


@overload
def lookup(key: int) -> int: ...
@overload
def lookup(key: str) -> str: ...
def lookup(key):
    return _m2l_client.call("mail", "shop.mail.tasks.lookup", lookup, {"key": key})


# mono2lambda: dropped @timed("mail.bounce") (it runs in the service; extract reports it as a hazard)
@_m2l_client.task("mail", "shop.mail.tasks.handle_bounce")
def handle_bounce(address: str) -> None:
    return _m2l_client.call("mail", "shop.mail.tasks.handle_bounce", handle_bounce, {"address": address})


@_private_decorator
def _helper(x: int) -> int:
    return x
