import hashlib
import json

from django.db import migrations, models


def requester_key(email, city_name, country):
    # As AccessRequest.requester_key_of, frozen here so that this migration means the same later.
    words = [" ".join(value.split()).casefold() for value in (email, city_name, country)]
    return hashlib.sha256(json.dumps(words).encode()).hexdigest()


def merge_pending_duplicates(apps, schema_editor):
    """Each row gets its key; of pending requests sent more than once, the first stays, with the last's words."""
    AccessRequest = apps.get_model("assessments", "AccessRequest")
    first_pending = {}
    for row in AccessRequest.objects.order_by("created_at", "pk"):
        row.requester_key = requester_key(row.email, row.city_name, row.country)
        first = first_pending.get(row.requester_key) if row.status == "pending" else None
        if first is None:
            if row.status == "pending":
                first_pending[row.requester_key] = row
            row.save(update_fields=["requester_key"])
            continue
        for field in ("full_name", "job_title", "region", "message"):
            setattr(first, field, getattr(row, field))
        first.city_id = first.city_id or row.city_id
        first.save(update_fields=["full_name", "job_title", "region", "message", "city"])
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_names_on_one_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessrequest",
            name="requester_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(merge_pending_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="accessrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("requester_key",),
                name="access_request_one_pending_per_city",
            ),
        ),
    ]
