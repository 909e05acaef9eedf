"""dealgraph: decision architecture for buyer-centric B2B selling."""

__version__ = "0.1.0"
