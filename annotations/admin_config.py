"""django.contrib.admin's app config with the desk's own site (annotations/admin_site.py): its
name in the header, its home page of queues and figures, "View site" leading to the public
pages. Not in annotations/apps.py, where Django would take it for a second config of ours."""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    default_site = "annotations.admin_site.DeskAdminSite"
