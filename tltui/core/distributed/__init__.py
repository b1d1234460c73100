"""A job's shards on a Ray cluster (docs/distributed.md); the only package of tltui that imports Ray."""
