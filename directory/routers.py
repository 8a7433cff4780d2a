"""Send reads to read replicas when DATABASE_REPLICA_URLS is set; writes always go to the primary.

Replication lag means a page right after a write could miss it, so anything
inside a transaction (every service) reads from the primary too.
"""

import random

from django.conf import settings
from django.db import connections


class PrimaryReplicaRouter:
    def _replicas(self) -> list[str]:
        return [alias for alias in settings.DATABASES if alias.startswith("replica")]

    def db_for_read(self, model, **hints) -> str | None:
        replicas = self._replicas()
        if not replicas or connections["default"].in_atomic_block:
            return "default"
        return random.choice(replicas)

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == "default"
