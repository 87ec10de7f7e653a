"""Editors add articles in the admin by pasting text or uploading a .txt or .json file, through
the import service (issue 16)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotations.models import Article

ADD = "/admin/annotations/article/add/"
pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def editor(erin):
    client = Client()
    client.force_login(erin)
    return client


def form(**fields):
    return {"slug": "", "title": "", "publisher": "", "author": "", "url": "", "language": "en",
            "published_on": "", "body": "", **fields}  # fmt: skip


def errors(response):
    return response.context["adminform"].form.errors


def test_a_bad_file_is_refused_naming_upload_and_nothing_is_stored(editor):
    cases = [
        (SimpleUploadedFile("a.pdf", b"%PDF"), "upload a .txt or a .json file"),
        (SimpleUploadedFile("a.txt", b"\xff\xfe bad"), "not valid UTF-8"),
        (SimpleUploadedFile("a.json", b"{not json"), "not valid JSON"),
        (SimpleUploadedFile("a.json", b'{"slug": "x", "body": 5}'), "body must be a string"),
        (SimpleUploadedFile("a.json", b'{"slug": "x", "body": "t", "colour": "red"}'),
         "unknown key 'colour'"),
        (SimpleUploadedFile("a.json", json.dumps([{"slug": "a", "body": "x"}] * 2).encode()),
         "holds 2 articles"),
    ]  # fmt: skip
    for upload, words in cases:
        response = editor.post(ADD, {**form(), "upload": upload})
        assert response.status_code == 200, words
        assert words in " ".join(errors(response)["upload"]), (words, errors(response))
    assert not Article.objects.exists()


def test_nothing_typed_and_no_file_names_slug_and_body(editor):
    response = editor.post(ADD, form())
    assert {"slug", "body"} <= set(errors(response))
    assert not Article.objects.exists()


def test_a_txt_upload_gives_the_body_and_the_slug_normalised_as_imports_do(editor, erin):
    upload = SimpleUploadedFile("CSTO Troops Arrive.txt", "Line one.\r\nLine two 🔥  \r\n".encode())
    response = editor.post(ADD, {**form(title="Troops"), "upload": upload})
    assert response.status_code == 302, errors(response)
    article = Article.objects.get()
    assert article.slug == "csto-troops-arrive" and article.title == "Troops"
    assert article.body == "Line one.\nLine two 🔥"  # CRLF and trailing spaces, as on import
    assert article.history.get().history_user == erin


def test_a_json_upload_gives_slug_metadata_and_body(editor):
    item = {"slug": "tass-1", "title": "TASS", "publisher": "TASS", "published_on": "2022-01-07",
            "body": "Тексты на русском."}  # fmt: skip
    upload = SimpleUploadedFile("tass.json", json.dumps(item, ensure_ascii=False).encode())
    response = editor.post(ADD, {**form(), "upload": upload})
    assert response.status_code == 302, errors(response)
    article = Article.objects.get()
    assert (article.slug, article.publisher, str(article.published_on), article.body) == (
        "tass-1", "TASS", "2022-01-07", "Тексты на русском."
    )  # fmt: skip


def test_a_duplicate_slug_from_a_file_is_refused(editor, article):
    upload = SimpleUploadedFile(f"{article.slug}.txt", b"Another text.")
    response = editor.post(ADD, {**form(), "upload": upload})
    assert response.status_code == 200 and "slug" in errors(response)
    assert Article.objects.count() == 1


def test_pasting_text_still_works_and_the_change_page_has_no_upload(editor):
    response = editor.post(ADD, form(slug="pasted", body="Pasted text."))
    assert response.status_code == 302
    article = Article.objects.get(slug="pasted")
    page = editor.get(f"/admin/annotations/article/{article.pk}/change/").content.decode()
    assert 'name="upload"' not in page
    assert 'enctype="multipart/form-data"' in editor.get(ADD).content.decode()


def test_annotators_may_not_add_articles(alice):
    client = Client()
    client.force_login(alice)
    upload = SimpleUploadedFile("a.txt", b"Text.")
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {**form(), "upload": upload}).status_code == 403
    assert not Article.objects.exists()
