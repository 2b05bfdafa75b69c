from . import notices  # noqa: F401  (registers the outbox)
