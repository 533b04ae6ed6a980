# ruff: noqa: RUF012  (Django writes migrations with lists)
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[("id", models.BigAutoField(primary_key=True)), ("status", models.CharField(max_length=20))],
        ),
    ]
