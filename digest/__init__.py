"""digest: a static site generator for news event digests."""

__version__ = "0.1.0"
