# module: app.mail   service: mail   async: Mailer.queue   methods: Format.subject Format.signed Mailer.send Mailer.queue Note.render
"""Transports: their method operations forward, the rest of each class stays as written."""

from __future__ import annotations

from dataclasses import dataclass


class Format:
    greeting = "Hello"

    @staticmethod
    def subject(order_id: str) -> str:
        """The subject line."""
        return f"Order {order_id}"

    @classmethod
    def signed(cls, text: str) -> str:
        return f"{cls.greeting} {text}"

    def _helper(self) -> None:
        pass


class Mailer:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, to: str, *, cc: list[str] | None = None) -> bool:
        return bool(to)

    def queue(self, to: str) -> None:
        print(to)

    def describe(self) -> str:
        return self.sender


@dataclass
class Note:
    text: str

    def render(me, upper: bool = False) -> str:
        return me.text.upper() if upper else me.text


class Untouched:
    def send(self) -> int:
        return 1


def helper(x: int) -> int:
    return x
# output
# module: app.mail   service: mail   async: Mailer.queue   methods: Format.subject Format.signed Mailer.send Mailer.queue Note.render
"""Transports: their method operations forward, the rest of each class stays as written."""

from __future__ import annotations

from dataclasses import dataclass
from m2l_runtime import client as _m2l_client


class Format:
    greeting = "Hello"

    @staticmethod
    def subject(order_id: str) -> str:
        """The subject line."""
        return _m2l_client.call("mail", "app.mail.Format.subject", Format.subject, {"order_id": order_id})

    @classmethod
    def signed(cls, text: str) -> str:
        return _m2l_client.call("mail", "app.mail.Format.signed", Format.signed, {"text": text})

    def _helper(self) -> None:
        pass


@_m2l_client.record
class Mailer:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, to: str, *, cc: list[str] | None = None) -> bool:
        return _m2l_client.call("mail", "app.mail.Mailer.send", Mailer.send, {"to": to, "cc": cc}, instance=self)

    def queue(self, to: str) -> None:
        return _m2l_client.call(
            "mail",
            "app.mail.Mailer.queue",
            Mailer.queue,
            {"to": to},
            invocation="async",
            instance=self,
        )

    def describe(self) -> str:
        return self.sender


@_m2l_client.record
@dataclass
class Note:
    text: str

    def render(me, upper: bool = False) -> str:
        return _m2l_client.call("mail", "app.mail.Note.render", Note.render, {"upper": upper}, instance=me)


class Untouched:
    def send(self) -> int:
        return 1


def helper(x: int) -> int:
    return _m2l_client.call("mail", "app.mail.helper", helper, {"x": x})
