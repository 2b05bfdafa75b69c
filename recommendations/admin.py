from . import (
    admin_reports,  # noqa: F401
    admin_rules,  # noqa: F401
)
