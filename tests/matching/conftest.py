from io import StringIO

import pytest
from django.core.management import call_command

from ..helpers import ROOT


@pytest.fixture
def curated(db):
    """make run's desk: the seed articles and the curated rulings and spans."""
    out = StringIO()
    call_command("import_articles", str(ROOT / "seeds"), stdout=out)
    call_command("load_annotations", str(ROOT / "fixtures" / "curated.toml"), stdout=out)
