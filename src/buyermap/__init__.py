"""buyermap: know who buys from you, how they buy, and what comes next."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("buyermap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
