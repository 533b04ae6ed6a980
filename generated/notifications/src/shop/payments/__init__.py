"""Payment gateways and payment records."""
from m2l_runtime import client as _m2l_client
