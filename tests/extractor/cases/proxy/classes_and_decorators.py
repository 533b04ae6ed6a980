# module: app.notify   service: notifications   async: notify
import functools
from dataclasses import dataclass


class TemplateError(KeyError):
    """Stays: callers catch it."""


@dataclass
class Pending:
    channel: str

    def describe(self) -> str:
        return self.channel


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@logged
def notify(channel: str, *recipients: str, urgent: bool = False, **context: str) -> int:
    def inner() -> int:
        return len(recipients)
    return inner()


async def fetch(key: str, /, default: str = "") -> str:
    return key or default
# output
# module: app.notify   service: notifications   async: notify
import functools
from dataclasses import dataclass
from m2l_runtime import client as _m2l_client


class TemplateError(KeyError):
    """Stays: callers catch it."""


@dataclass
class Pending:
    channel: str

    def describe(self) -> str:
        return self.channel


def logged(fn):
    return _m2l_client.call("notifications", "app.notify.logged", logged, {"fn": fn})


# mono2lambda: dropped @logged (it runs in the service; extract reports it as a hazard)
def notify(channel: str, *recipients: str, urgent: bool = False, **context: str) -> int:
    return _m2l_client.call(
        "notifications",
        "app.notify.notify",
        notify,
        {
            "channel": channel,
            "recipients": recipients,
            "urgent": urgent,
            "context": context,
        },
        invocation="async",
    )


async def fetch(key: str, /, default: str = "") -> str:
    return _m2l_client.call("notifications", "app.notify.fetch", fetch, {"key": key, "default": default})
