import pytest
from relay import alerts
from relay.transports import CountingTransport, DeliveryFailed, Formatter, SmsTransport


def test_static_and_class_methods():
    assert Formatter.subject("A-1", "paid") == "Order A-1: paid"
    assert Formatter.signed("Thanks") == "Hello! Thanks -- ops"
    assert Formatter.signed("Thanks", team="billing") == "Hello! Thanks -- billing"


def test_an_instance_method_sees_its_constructor_arguments():
    sms = SmsTransport("ACME", max_length=5)
    assert sms.send("+15550100", "hello world") == {"from": "ACME", "to": "+15550100", "body": "hello"}
    assert SmsTransport("Shop").send("+1", "hi")["body"] == "hi"


def test_the_rest_of_the_class_is_as_written():
    sms = SmsTransport("ACME")
    assert isinstance(sms, SmsTransport)
    assert sms.sender == "ACME" and sms.describe() == "sms from ACME"
    assert (SmsTransport.__module__, SmsTransport.__qualname__) == ("relay.transports", "SmsTransport")


def test_errors_come_back_as_the_callers_class():
    with pytest.raises(DeliveryFailed, match="not a phone number: 555"):
        SmsTransport("ACME").send("555", "hi")


def test_a_dataclass_goes_as_its_fields():
    hook = alerts.hook_for("https://hooks.example.com/x")
    assert hook.deliver({"b": "2", "a": "1"}) == "POST https://hooks.example.com/x (5 retries): a, b"


def test_a_fresh_object_counts_from_zero():
    assert CountingTransport("c").send("abc") == 4


def test_the_monolith_calls_them():
    assert alerts.notify_shipped("A-7", "+15550100")["body"] == "Hello! Order A-7: shipped -- ops"
