"""The `annotators` and `editors` groups of SPEC.md with the model permissions they need.

Model permissions only open the admin pages; who may change *which* object (own spans and
drafts for annotators, anyone's for editors) and the review rules are enforced in services.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANNOTATOR = {
    "article": ["view"],
    "annotation": ["view", "add", "change", "delete"],
    "annotationruling": ["view", "add", "change", "delete"],
    "ruling": ["view", "add", "change", "delete"],
    "review": ["view"],
}
EDITOR = {
    **ANNOTATOR,
    "article": ["view", "change"],
    "review": ["view", "add"],
}
ROLES = {"annotators": ANNOTATOR, "editors": EDITOR}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make ours now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        perms = Permission.objects.filter(
            content_type__app_label="annotations", codename__in=codenames
        )
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
