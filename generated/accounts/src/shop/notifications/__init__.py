"""E-mail/SMS notifications, queued and sent fire-and-forget."""
from m2l_runtime import client as _m2l_client
