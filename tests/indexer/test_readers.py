"""read_cables: files and trees, format detection, and bad input as diagnostics."""

from __future__ import annotations

import shutil

import pytest

from indexer import ParseError, read_cables
from indexer.readers import is_note

ROW = ('"{id}","1/2/2009 3:04","09ROME{id}","Embassy Rome","CONFIDENTIAL","",'
       '"FM AMEMBASSY ROME","CONFIDENTIAL ROME 00000{id}\n\nSUBJECT: ROW {id}\n\n1. (C) Text {id}."\n')


def test_directory_is_read_recursively_in_sorted_order(corpus_dir):
    cables = list(read_cables(corpus_dir))
    assert [c.refid for c in cables] == [
        "06BANGKOK3955",  # 000_... sorts before the folders
        "08STATE45120", "05ANKARA2210", "09USUNNEWYORK456",  # cables.csv
        "06BANGKOK4012", "07TBILISI1605", "09UNVIEVIENNA812", "10TRIPOLI77",  # html/YYYY/MM
        "04KUWAIT2231", "89BONN1450",  # jsonl/
        "02HARARE2650", "07MOSCOW3398",  # text/
    ]


def test_reading_is_lazy(tmp_path):
    (tmp_path / "a.csv").write_text("".join(ROW.format(id=i) for i in range(1, 4)), encoding="utf-8")
    it = read_cables(tmp_path)
    first = next(it)
    assert first.refid == "09ROME1" and first.subject == "ROW 1"
    assert [c.refid for c in it] == ["09ROME2", "09ROME3"]


def test_bad_files_become_diagnostics_and_reading_goes_on(tmp_path, corpus_dir):
    shutil.copy(corpus_dir / "text" / "02HARARE2650.txt", tmp_path / "b_good.txt")
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "d_blank.txt").write_text("\n\n   \n")
    errors: list[ParseError] = []
    cables = list(read_cables(tmp_path, errors=errors))
    assert [c.refid for c in cables] == ["02HARARE2650"]
    assert [(e.path.rsplit("/", 1)[1], e.reason) for e in errors] == [
        ("a_empty.txt", "empty file"),
        ("c_binary.bin", "binary data, not a cable"),
        ("d_blank.txt", "empty file"),
    ]
    assert str(errors[0]).endswith("a_empty.txt: empty file")


def test_errors_can_go_to_a_callback(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"")
    seen = []
    assert list(read_cables(tmp_path, errors=seen.append)) == []
    assert [e.reason for e in seen] == ["empty file"]


def test_truncated_page_still_yields_what_is_there(tmp_path, corpus_dir):
    page = (corpus_dir / "html" / "2007" / "09" / "07TBILISI1605.html").read_text(encoding="utf-8")
    cut = page[: page.index("¶</a>3.")]
    (tmp_path / "07TBILISI1605.html").write_text(cut, encoding="utf-8")
    errors = []
    [cable] = list(read_cables(tmp_path, errors=errors))
    assert errors == []
    assert cable.refid == "07TBILISI1605"
    assert cable.tags == ("PGOV", "PREL", "KDEM", "GG")
    assert [p.number for p in cable.paragraphs] == [1, 2]


def test_cp1252_file_is_decoded_with_a_note(tmp_path):
    text = "09ROME7\nCaf\u00e9 \u201cpolitics\u201d\nTue Dec 03 00:00:00 +0100 2002\nUNCLASSIFIED\nEmbassy Rome\n1. Text.\n"
    (tmp_path / "09ROME7.txt").write_bytes(text.encode("cp1252"))
    errors = []
    [cable] = list(read_cables(tmp_path, errors=errors))
    assert cable.subject == 'Caf\u00e9 "politics"'
    assert len(errors) == 1 and is_note(errors[0])
    assert errors[0].reason == "note: not valid UTF-8; decoded as cp1252"


def test_utf8_bom_is_ignored(tmp_path):
    text = "09ROME7\nSubject\nTue Dec 03 00:00:00 +0100 2002\nUNCLASSIFIED\nEmbassy Rome\n1. Text.\n"
    (tmp_path / "09ROME7.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [cable] = list(read_cables(tmp_path))
    assert cable.refid == "09ROME7" and cable.subject == "Subject"


def test_csv_bad_row_is_reported_with_its_row_and_line(tmp_path):
    data = ROW.format(id=1) + '"oops","not a row"\n' + ROW.format(id=3)
    (tmp_path / "c.csv").write_text(data, encoding="utf-8")
    errors = []
    cables = list(read_cables(tmp_path / "c.csv", errors=errors))
    assert [c.refid for c in cables] == ["09ROME1", "09ROME3"]
    assert len(errors) == 1
    assert errors[0].location == "row 2 (line 6)"
    assert errors[0].reason.startswith("expected 8 columns (id, date, refid, origin, classification")
    assert cables[1].source.row == 3 and cables[1].source.line == 7


def test_large_csv_streams(tmp_path):
    # 12 MB of rows: read as a stream (one row at a time), all rows come out.
    filler = "word " * 2000
    row = ('"{i}","1/2/2009 3:04","09ROME{i}","Embassy Rome","UNCLASSIFIED","","",'
           '"UNCLASSIFIED ROME 00000{i}\n\nSUBJECT: BIG\n\n1. (U) ' + filler + '"\n')
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(1, 1201):
            fh.write(row.format(i=i))
    assert path.stat().st_size > 10 * 1024 * 1024
    count = 0
    for cable in read_cables(path):
        count += 1
        assert cable.subject == "BIG"
    assert count == 1200


def test_jsonl_bad_line_is_reported_with_its_line(tmp_path):
    from indexer import Cable

    good = Cable(refid="09ROME1").to_json()
    (tmp_path / "x.jsonl").write_text(good + "\n{broken\n\n" + good + "\n", encoding="utf-8")
    errors = []
    cables = list(read_cables(tmp_path / "x.jsonl", errors=errors))
    assert [c.refid for c in cables] == ["09ROME1", "09ROME1"]
    assert [(e.location, e.reason[:14]) for e in errors] == [("line 2", "not valid JSON")]


def test_forced_format(tmp_path, corpus_dir):
    shutil.copy(corpus_dir / "text" / "07MOSCOW3398.txt", tmp_path / "cable.dat")
    [cable] = list(read_cables(tmp_path, format="text"))
    assert cable.refid == "07MOSCOW3398"


def test_usage_errors_raise():
    with pytest.raises(ParseError, match="no such file or directory"):
        list(read_cables("/nonexistent/cables"))
    with pytest.raises(ParseError, match="unknown format 'doc'"):
        list(read_cables(".", format="doc"))


def test_csv_header_row_is_skipped_with_a_note(tmp_path):
    data = '"id","date","refid","origin","classification","references","header","content"\n' + ROW.format(id=1)
    (tmp_path / "h.csv").write_text(data, encoding="utf-8")
    errors = []
    cables = list(read_cables(tmp_path / "h.csv", errors=errors))
    assert [c.refid for c in cables] == ["09ROME1"]
    assert [(e.location, e.reason) for e in errors] == [("row 1 (line 1)", "note: skipped a header row")]


def test_a_parser_bug_is_reported_and_reading_goes_on(tmp_path, corpus_dir, monkeypatch):
    import indexer.readers as readers

    real = readers.assemble

    def flaky(parts, source, refid=None):
        if source.row == 2:
            raise ValueError("boom")
        return real(parts, source, refid=refid)

    monkeypatch.setattr(readers, "assemble", flaky)
    errors = []
    cables = list(read_cables(corpus_dir / "cables.csv", errors=errors))
    assert [c.refid for c in cables] == ["08STATE45120", "09USUNNEWYORK456"]
    assert [(e.location, e.reason) for e in errors] == [
        ("row 2 (line 52)", "could not parse (ValueError: boom); please report this cable")]


def test_stray_cp1252_bytes_in_a_stream_are_read_and_counted(tmp_path):
    good = ROW.format(id=1).encode("utf-8")
    bad = ROW.format(id=2).replace("Text 2.", "Caf\u00e9 \u201cx\u201d \u00fc.").encode("cp1252")
    utf8 = ROW.format(id=3).replace("Text 3.", "na\u00efve").encode("utf-8")
    (tmp_path / "m.csv").write_bytes(good + bad + utf8)
    errors = []
    cables = list(read_cables(tmp_path / "m.csv", errors=errors))
    assert [c.refid for c in cables] == ["09ROME1", "09ROME2", "09ROME3"]
    assert cables[1].paragraphs[0].text == 'Caf\u00e9 "x" \u00fc.'
    assert cables[2].paragraphs[0].text == "na\u00efve"  # valid UTF-8 around it is untouched
    assert [e.reason for e in errors] == ["note: not valid UTF-8; 4 undecodable bytes read as cp1252"]
