"""What the admin modules share."""


class ReadOnlyMixin:
    """Objects that change only through their own workflow (services), never by a raw form."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
