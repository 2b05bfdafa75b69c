from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("opencities", "0002_notice_type_overridden"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("result_ready", "Result ready"),
                    ("report_ready", "Report ready"),
                    ("reopened", "Assessment reopened"),
                    ("type_overridden", "City type set by an editor"),
                    ("invitation", "Invitation"),
                    ("access_received", "Access request received"),
                    ("access_requested", "Access request to decide"),
                    ("access_approved", "Access approved"),
                    ("access_rejected", "Access rejected"),
                    ("password_reset", "Password reset"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
