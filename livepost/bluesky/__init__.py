"""Everything that talks to Bluesky: the only package that imports ``atproto``."""
