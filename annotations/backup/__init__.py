"""What export_all writes and import_all reads back: a desk moved between installations.

A backup of one installation is PostgreSQL's job (pg_dump, or base backups with WAL archiving;
README, "Operations: backup and restore"). This file is the other thing: every row of the desk
and everything those rows refer to, as Django's JSON Lines (one `{"model", "pk", "fields"}`
object a line), loadable into any installation of the same code whose database is empty.

- Users and groups are matched by username and group name (a new installation already has the
  `annotators` and `editors` groups, and maybe an admin made with createsuperuser); every other
  row keeps its primary key. Rows name a user, group, permission or content type by natural key,
  never by an id that differs between installations.
- Secrets (password hashes, API token keys) are written only when asked for. Without them
  restored users cannot log in until a password is set, and API clients need new tokens.
- A restore is one transaction: a bad line stops it and stores nothing, and the error names the
  line, the record, the field and the reason.

`tests/commands/test_backup_coverage.py` fails when an installed model is neither exported
(`contents.exported_models`) nor in `LEFT_OUT`.
"""

from .contents import (  # noqa: F401
    DESK_MODELS,
    LEFT_OUT,
    SECRET_FIELDS,
    SECRET_MODELS,
    TOKEN_MODELS,
    WITHHELD,
    exported_models,
    table_models,
)
from .restoring import Restored, RestoreError, busy_tables, restore  # noqa: F401
from .writing import ExactEncoder, _fields, _ordering, _Writer, open_for_writing, write  # noqa: F401
