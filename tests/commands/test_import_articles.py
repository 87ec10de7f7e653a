import datetime
import json
import shutil
import unicodedata
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article

from ..helpers import ROOT

pytestmark = pytest.mark.django_db
SEEDS = ROOT / "seeds"


def run(*paths, verbosity=1):
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_articles", *map(str, paths), stdout=out, stderr=err, verbosity=verbosity
        )
        code = 0
    except CommandError as exc:
        code = 1
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_it_imports_the_five_seed_articles_with_their_metadata():
    code, out, _ = run(SEEDS)
    assert code == 0
    assert "5 created, 0 updated, 0 unchanged, 0 failed" in out
    assert Article.objects.count() == 5
    azernews = Article.objects.get(slug="azernews-csto-presence-illegal")
    assert azernews.publisher == "AzerNews"
    assert azernews.published_on == datetime.date(2022, 1, 9)
    armenia = Article.objects.get(slug="armenia-un-letter-csto-peacekeeping")
    assert armenia.published_on == datetime.date(2022, 1, 7)
    # Unknown metadata stays empty rather than invented.
    assert armenia.publisher == "" and armenia.author == "" and armenia.title == ""
    assert Article.objects.get(slug="bne-csto-article-4").published_on is None


def test_the_seed_bodies_are_the_shared_texts_normalised():
    run(SEEDS)
    for txt in SEEDS.glob("*.txt"):
        raw = txt.read_text(encoding="utf-8")
        expected = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).rstrip()
        slug_line = next(
            line
            for line in txt.with_suffix(".toml").read_text().splitlines()
            if line.startswith("slug")
        )
        slug = slug_line.split('"')[1]
        assert Article.objects.get(slug=slug).body == expected


def test_a_second_run_changes_nothing():
    run(SEEDS)
    before = list(Article.objects.values_list("slug", "body_sha256", "updated_at").order_by("slug"))
    history = Article.history.count()
    code, out, _ = run(SEEDS)
    assert code == 0
    assert "0 created, 0 updated, 5 unchanged, 0 failed" in out
    assert (
        list(Article.objects.values_list("slug", "body_sha256", "updated_at").order_by("slug"))
        == before
    )
    assert Article.history.count() == history


def test_it_updates_changed_metadata_and_body(tmp_path):
    (tmp_path / "a.txt").write_text("First text.")
    (tmp_path / "a.toml").write_text('title = "One"\n')
    run(tmp_path)
    (tmp_path / "a.txt").write_text("Second text.")
    (tmp_path / "a.toml").write_text('title = "Two"\n')
    code, out, _ = run(tmp_path)
    assert "0 created, 1 updated, 0 unchanged" in out
    article = Article.objects.get(slug="a")
    assert (article.title, article.body) == ("Two", "Second text.")


def test_a_key_removed_from_the_metadata_empties_the_field(tmp_path):
    (tmp_path / "a.txt").write_text("Text.")
    (tmp_path / "a.toml").write_text(
        'title = "T"\nauthor = "A. Writer"\npublished_on = 2022-01-05\n'
        'url = "https://example.org/a"\nlanguage = "ru"\n'
    )
    run(tmp_path)
    (tmp_path / "a.toml").write_text('title = "T"\n')
    code, out, _ = run(tmp_path)
    assert code == 0 and "0 created, 1 updated, 0 unchanged" in out
    article = Article.objects.get(slug="a")
    assert (article.author, article.published_on, article.url) == ("", None, "")
    assert article.language == "en"  # the model's default, as for a new article
    assert "0 updated, 1 unchanged" in run(tmp_path)[1]


def test_a_removed_key_in_json_also_empties_the_field(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"slug": "j", "body": "B.", "publisher": "P"}))
    run(tmp_path)
    (tmp_path / "a.json").write_text(json.dumps({"slug": "j", "body": "B."}))
    code, out, _ = run(tmp_path)
    assert code == 0 and "1 updated" in out
    assert Article.objects.get(slug="j").publisher == ""


def test_a_slug_repeated_in_one_run_is_reported_naming_both_files(tmp_path):
    (tmp_path / "first.txt").write_text("The first body.")
    (tmp_path / "first.toml").write_text('slug = "same"\n')
    (tmp_path / "second.txt").write_text("The second body.")
    (tmp_path / "second.toml").write_text('slug = "same"\n')
    (tmp_path / "other.txt").write_text("Another article.")
    code, out, err = run(tmp_path)
    assert code == 1
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    [line] = [line for line in err.splitlines() if "same" in line]
    assert "first.txt" in line and "second.txt" in line
    assert Article.objects.get(slug="same").body == "The first body."
    assert Article.objects.filter(slug="other").exists()


def test_a_slug_repeated_within_a_json_file_is_reported(tmp_path):
    rows = [{"slug": "dup", "body": "One."}, {"slug": "dup", "body": "Two."}]
    (tmp_path / "many.json").write_text(json.dumps(rows))
    code, out, err = run(tmp_path)
    assert code == 1 and "1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert "many.json[0]" in err and "many.json[1]" in err
    assert Article.objects.get(slug="dup").body == "One."


def test_it_normalises_crlf_nfc_and_trailing_whitespace(tmp_path):
    decomposed = "Cafe\u0301"
    (tmp_path / "n.txt").write_bytes(
        f"Line one\r\nLine two\rLine three {decomposed}  \r\n\r\n".encode()
    )
    run(tmp_path)
    body = Article.objects.get(slug="n").body
    assert body == "Line one\nLine two\nLine three Caf\u00e9"


def test_it_reads_json_and_jsonl(tmp_path):
    (tmp_path / "many.json").write_text(
        json.dumps(
            [
                {"slug": "j1", "body": "One.", "published_on": "2022-01-05"},
                {"slug": "j2", "body": "Two."},
            ]
        )
    )
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"slug": "l1", "body": "Three.", "publisher": "P"})
        + "\n\n"
        + json.dumps({"slug": "l2", "body": "Four."})
        + "\n"
    )
    code, out, _ = run(tmp_path)
    assert code == 0 and "4 created" in out
    assert Article.objects.get(slug="j1").published_on == datetime.date(2022, 1, 5)
    assert Article.objects.get(slug="l1").publisher == "P"


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("latin1.txt", "Caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("empty.txt", b"", "empty body"),
        ("blank.txt", b"  \r\n \n", "empty body"),
        ("bad.json", b'[{"slug": ', "not valid JSON"),
        ("bad.jsonl", b'{"slug": "ok", "body": "Fine."}\n{oops\n', "not valid JSON"),
        ("noslug.json", b'[{"body": "Text."}]', "slug is required"),
        ("nobody.json", b'[{"slug": "x"}]', "body must be a string"),
        ("emptyfile.json", b"", "empty file"),
        ("note.md", b"# hello", "unknown file type"),
    ],
)
def test_a_bad_file_is_reported_and_the_others_imported(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text("A good article.")
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out, err = run(tmp_path / "good.txt", bad)
    assert code == 1
    assert name in err and reason in err
    assert Article.objects.filter(slug="good").exists()


@pytest.mark.parametrize(
    "toml, reason",
    [
        (b'title = "unterminated\n', "cannot be parsed"),
        (b'published_on = "January 2022"\n', "published_on must be a date"),
        (b'colour = "red"\n', "unknown key 'colour'"),
        (b"title = 5\n", "title must be a string"),
        ('title = "Caf\xe9"\n'.encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_bad_metadata_is_reported_naming_the_file(tmp_path, toml, reason):
    (tmp_path / "meta.txt").write_text("Body text.")
    (tmp_path / "meta.toml").write_bytes(toml)
    code, _, err = run(tmp_path)
    assert code == 1
    assert "meta.toml" in err and reason in err
    assert not Article.objects.exists()


def test_a_missing_path_is_reported(tmp_path):
    code, _, err = run(tmp_path / "nope.txt")
    assert code == 1 and "no such file" in err


def test_a_large_import_shows_a_progress_bar(tmp_path):
    rows = [json.dumps({"slug": f"bulk-{i}", "body": f"Article number {i}."}) for i in range(30)]
    (tmp_path / "bulk.jsonl").write_text("\n".join(rows))
    code, out, err = run(tmp_path)
    assert code == 0 and "30 created" in out
    assert "30/30" in err


def test_a_small_import_has_no_progress_bar(tmp_path):
    shutil.copy(SEEDS / "000_d16e2aba183c07b9.txt", tmp_path)
    _, _, err = run(tmp_path)
    assert "1/1" not in err
