from pathlib import Path

import pytest

from translate_pipeline.errors import InputError
from translate_pipeline.inputs.discovery import discover
from translate_pipeline.inputs.documents import decode, parse_text
from translate_pipeline.inputs.files import read_file
from translate_pipeline.inputs.kinds import InputFile


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_txt_headline_and_paragraphs():
    article = parse_text("Headline here\n\nFirst line\nsecond line.\n\n\nNext one.\n", source="s", id="a")
    assert article.title == "Headline here"
    assert article.paragraphs == ("First line second line.", "Next one.")


def test_txt_without_headline_keeps_all_text():
    article = parse_text("One paragraph\nover two lines.", source="s", id="a")
    assert article.title == ""
    assert article.paragraphs == ("One paragraph over two lines.",)


def test_markdown_heading_is_title_and_markup_removed():
    text = "# Big **news** today\n\nFirst paragraph with __bold__.\n\n## Details\n\nMore."
    article = parse_text(text, source="s", id="a", markdown=True)
    assert article.title == "Big news today"
    assert article.paragraphs == ("First paragraph with bold.", "Details", "More.")


def test_crlf_and_bom_are_normalised(tmp_path):
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbfTitle\r\n\r\nBody line one.\r\nline two.\r\n")
    article = read_file(InputFile(path, "a"))
    assert article.title == "Title"
    assert article.paragraphs == ("Body line one. line two.",)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\n \t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (bytes(range(1, 32)) * 8 + b"\xff\xfe\x80", "binary"),  # no NUL, no text either
        (b"\xff\xfeX", "byte-order mark"),  # UTF-16 that is not
        (b"# Only a heading\n", "no text"),
    ],
)
def test_bad_inputs_name_file_and_reason(tmp_path, data, reason):
    suffix = ".md" if data.startswith(b"#") else ".txt"
    path = write(tmp_path / f"bad{suffix}", data)
    with pytest.raises(InputError) as info:
        read_file(InputFile(path, "bad"))
    assert str(path) in str(info.value)
    assert reason in str(info.value)


def test_decode_legacy_encodings_and_refuses_binary():
    assert decode("Заголовок\n\nтекст".encode("cp1251"), "x") == "Заголовок\n\nтекст"
    assert decode(b"abc\xff", "x") == "abcÿ"  # Windows-1252, the most common legacy encoding
    with pytest.raises(InputError, match="^x: looks like a binary file"):
        decode(b"text\x00\x01\x02", "x")


def test_discover_walks_folders_recursively_with_relative_ids(tmp_path):
    write(tmp_path / "in" / "x" / "y.txt", "t")
    write(tmp_path / "in" / "a.md", "t")
    write(tmp_path / "in" / "x" / "ignored.png", b"\x89PNG")
    write(tmp_path / "single.txt", "t")
    found = list(discover([str(tmp_path / "in"), str(tmp_path / "single.txt"), str(tmp_path / "nope")]))
    assert [f.id for f in found if isinstance(f, InputFile)] == ["a", "x/y", "single"]
    (missing,) = [f for f in found if isinstance(f, InputError)]
    assert "nope" in str(missing) and "no such file" in str(missing)


def test_discover_refuses_colliding_ids(tmp_path):
    write(tmp_path / "one" / "a.txt", "t")
    write(tmp_path / "two" / "a.txt", "t")
    found = list(discover([str(tmp_path / "one"), str(tmp_path / "two")]))
    assert isinstance(found[0], InputFile)
    assert isinstance(found[1], InputError) and "overwrite" in str(found[1])


def test_discover_survives_symlink_loop(tmp_path):
    write(tmp_path / "in" / "a.txt", "t")
    (tmp_path / "in" / "loop").symlink_to(tmp_path / "in")
    found = list(discover([str(tmp_path / "in")]))
    assert [f.id for f in found] == ["a"]


def test_unreadable_file_dangling_symlink(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    with pytest.raises(InputError) as info:
        read_file(InputFile(link, "gone"))
    assert str(link) in str(info.value) and "cannot read" in str(info.value)


def test_too_large_file_is_refused(tmp_path, monkeypatch):
    import translate_pipeline.inputs.files as readers

    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 1024 * 1024)
    path = write(tmp_path / "big.txt", "word " * 300_000)
    with pytest.raises(InputError, match="larger than the 1 MiB limit"):
        read_file(InputFile(path, "big"))


def test_ids_that_would_overwrite_each_other_fail_the_later_input(tmp_path):
    from translate_pipeline.batch import read_items
    from translate_pipeline.records import Failure

    def write(relative: str, text: str = "Titel\n\nEin Text.") -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    write("one/news/a.txt")
    write("one/news/a.md")              # same folder, same stem: the second (sorted) fails
    write("one/sport/a.txt")            # another folder: its own id
    write("two/a.txt")                  # given by name below: id "a", like three/a.txt
    write("three/a.txt")
    jsonl = write("four/news.jsonl", '{"id": "a", "text": "Noch ein Text."}\n')  # id news/a
    items = list(read_items(discover([str(tmp_path / "one"), str(tmp_path / "two" / "a.txt"),
                                      str(tmp_path / "three" / "a.txt"), str(jsonl)])))
    outcome = [(i.id, i.error.reason if isinstance(i, Failure) else "ok") for i in items]
    assert outcome == [
        ("news/a", "ok"),
        ("", f"its outputs would overwrite those of {tmp_path / 'one/news/a.md'} "
             "(same name 'news/a')"),
        ("sport/a", "ok"),
        ("a", "ok"),
        ("", f"its outputs would overwrite those of {tmp_path / 'two/a.txt'} (same name 'a')"),
        ("news/a", "its outputs would overwrite those of an earlier input (same name 'news/a')"),
    ]
