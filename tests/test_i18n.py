"""The command line's language: Vietnamese by default, English with --lang en, one catalogue."""

from __future__ import annotations

import argparse
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import HEADER, good_rows, write_csv
from test_io import corrupt

from thads_analysis import i18n
from thads_analysis.cli import main
from thads_analysis.paths import PACKAGE_DIR

FIELDS = re.compile(r"\{[^{}]*\}|%\(\w+\)\w|%\w")


def _catalogue():
    with open(i18n.CATALOGUE, "rb") as handle:
        return read_po(handle, locale="vi")


def _extracted() -> set:
    """Every message id marked in the package's code (the keywords of ``make messages``)."""
    found = set()
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for _file, _line, message, _comments, _context in extract_from_dir(PACKAGE_DIR, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_of_the_code_has_a_vietnamese_translation_with_the_same_fields():
    catalogue = _catalogue()
    entries = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalogue if m.id}
    code = _extracted()
    assert len(code) > 300  # the extraction saw the package (cli, ingest, analysis, batch)
    missing = sorted(code - set(entries))
    assert not missing, f"not in thads.po (run `make messages` and translate): {missing[:5]}"
    unused = sorted(set(entries) - code)
    assert not unused, f"in thads.po but no longer in the code (run `make messages`): {unused[:5]}"
    for msgid in code:
        entry = entries[msgid]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings) and not entry.fuzzy, f"untranslated or fuzzy: {msgid!r}"
        for text in strings:
            assert sorted(FIELDS.findall(text)) == sorted(FIELDS.findall(msgid)), msgid


def test_the_language_comes_from_the_option_then_thads_lang_then_the_locale():
    assert i18n.from_environment({}) == "vi"
    assert i18n.from_environment({"LANG": "C.UTF-8"}) == "vi"  # no language named: Vietnamese
    assert i18n.from_environment({"LANG": "fr_FR.UTF-8"}) == "vi"
    assert i18n.from_environment({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.from_environment({"LANGUAGE": "vi:en", "LANG": "en_US.UTF-8"}) == "vi"
    assert i18n.from_environment({"THADS_LANG": "vi", "LANG": "en_US.UTF-8"}) == "vi"


def _broken_csv(tmp_path):
    # Nam Định's cases at 30/04/2017 say 3.001 accepted in all, but 1.000 + 2.000 = 3.000; the two
    # columns after it keep their own identities (2.991 − 0 ... = 2.500 + 491), so this is the only problem.
    rows = corrupt(good_rows(), "36", "cases", "total_accepted", 3001)
    rows = corrupt(rows, "36", "cases", "to_execute", 2991)
    rows = corrupt(rows, "36", "cases", "without_conditions", 491)
    return write_csv(tmp_path / "thang4.csv", rows)


def test_validate_speaks_vietnamese_by_default_with_excel_letters_and_day_first_dates(tmp_path, capsys,
                                                                                        monkeypatch):
    path = _broken_csv(tmp_path)
    monkeypatch.delenv("THADS_LANG")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    # total_accepted is the 8th column of the header: H, as Excel shows the CSV.
    assert HEADER.index("total_accepted") == 7
    assert "thang4.csv:6: tỉnh 36 Nam Định, cột H (Tổng số thụ lý)" in err
    assert "30/04/2017" in err and "2017-04-30" not in err
    assert "3.001" in err and "3.000" in err
    assert "1 lỗi trong 1 tệp; chưa nạp số liệu nào." in err
    for english in ("problem", "column", "province", "nothing", "difference", "total_accepted"):
        assert english not in err, english


def test_lang_en_prints_the_english_messages(tmp_path, capsys):
    path = _broken_csv(tmp_path)
    assert main(["validate", str(path), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "thang4.csv:6: province 36 Nam Định, column H (total_accepted)" in err
    assert "[total_accepted = carried_over + new_accepted]" in err and "2017-04-30" in err
    assert "1 problem(s) in 1 file(s); nothing was loaded." in err
    assert i18n.language() == "en"  # the test's own language, restored after the run


def test_help_and_argparse_errors_follow_the_language(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "vi", "validate", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: thads validate") and "kiểm tra tệp số liệu" in out
    assert "hiện trợ giúp này rồi thoát" in out
    with pytest.raises(SystemExit):
        main(["report", "--lang", "vi"])
    err = capsys.readouterr().err
    assert "thads report: lỗi: cần một trong các đối số --province --region --all" in err
    with pytest.raises(SystemExit):
        main(["report", "--lang", "en"])
    assert "error: one of the arguments --province --region --all is required" in capsys.readouterr().err
    # argparse keeps its own words outside a run
    assert argparse._("usage: ") == "usage: "


@pytest.mark.parametrize("args", [["validate", "--lang"], ["validate", "x.csv", "--lang", "fr"]])
def test_a_wrong_or_missing_lang_is_refused_once_without_a_traceback(args, capsys, monkeypatch):
    monkeypatch.setenv("THADS_LANG", "vi")
    with pytest.raises(SystemExit) as stop:
        main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("lỗi: đối số --lang") == 1 and "Traceback" not in err
