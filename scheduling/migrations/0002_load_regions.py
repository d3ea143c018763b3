"""Load the 37 participating regions shipped in scheduling/data/regions.csv."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def load_regions(apps, schema_editor):  # type: ignore[no-untyped-def]
    Region = apps.get_model("scheduling", "Region")
    with CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            Region.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
