"""tests/conftest.py's SLOW table names only tests and files that exist: a stale entry
fails loudly, naming itself, instead of silently dropping out of `make check`'s exclusions."""

from __future__ import annotations

from pathlib import Path

import pytest
from _slow import missing_files

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent
MODULE = "def test_kept():\n    pass\n"


def test_missing_files_names_only_the_missing_ones(tmp_path):
    (tmp_path / "test_here.py").write_text(MODULE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "test_deeper.py").write_text(MODULE)
    keys = ["test_here.py", "test_gone.py", "test_deeper.py", "test_also_gone.py"]
    assert missing_files(keys, tmp_path) == [
        str(tmp_path / "test_also_gone.py"),
        str(tmp_path / "test_gone.py"),
    ]
    assert missing_files([], tmp_path) == []
    (tmp_path / "test_dir.py").mkdir()  # a folder of that name is no test file
    assert missing_files(["test_dir.py"], tmp_path) == [str(tmp_path / "test_dir.py")]


def _project(pytester: pytest.Pytester, slow: dict[str, set[str]]) -> None:
    """A copy of tests/conftest.py and its helpers in ``pytester``'s folder, its SLOW
    table replaced by ``slow``, and one test file holding one test, ``test_kept``."""
    conftest = (HERE / "conftest.py").read_text() + f"\n\nSLOW = {slow!r}\n"
    pytester.makeconftest(conftest)
    for helper in ["_examples.py", "_slow.py"]:
        (pytester.path / helper).write_text((HERE / helper).read_text())
    pytester.makepyfile(test_one=MODULE)
    pytester.syspathinsert()


def test_a_stale_name_fails_its_files_collection(pytester):
    _project(pytester, {"test_one.py": {"test_kept", "test_renamed_away"}})
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*SLOW names tests that test_one.py does not hold*"])
    result.stdout.fnmatch_lines(["*: test_renamed_away"])  # the stale one, alone


def test_a_missing_file_stops_the_session_naming_it(pytester):
    _project(pytester, {"test_one.py": {"test_kept"}, "test_gone.py": {"test_x"}})
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*SLOW names test files that do not exist*: {pytester.path / 'test_gone.py'}"]
    )


def test_a_table_that_holds_marks_and_runs(pytester):
    _project(pytester, {"test_one.py": {"test_kept"}})
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-m", "slow")
    result.assert_outcomes(passed=1)
