"""livepost: cover a conference live on Bluesky."""

__version__ = "0.1.0"
