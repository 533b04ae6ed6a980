"""Shopping carts."""
from m2l_runtime import client as _m2l_client
