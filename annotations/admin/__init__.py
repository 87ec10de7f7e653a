"""Admin pages, a module per model family. Every write goes through services and every offer of
an action comes from the permissions the server computes, so the admin obeys the same rules as
the API."""

from . import articles, rulings, spans, webhooks  # noqa: F401  (each registers its ModelAdmins)
