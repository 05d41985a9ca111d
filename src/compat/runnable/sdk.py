"""`from runnable.sdk import ...` (runnable's loop examples) becomes an import from here."""

from runplane.compat.runnable import *  # noqa: F403
from runplane.compat.runnable import __all__  # noqa: F401
