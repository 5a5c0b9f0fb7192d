import io
import sqlite3

import pytest

from frontdesk import __version__, cli


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0 and __version__ in capsys.readouterr().out


def test_demo_then_status_and_backup(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    code, out, _ = run(capsys, "--db", url, "demo", "--guests", "20", "--visits", "10", "--days", "2")
    assert code == 0 and "20 位客人" in out and "qiantai" in out
    code, out, _ = run(capsys, "--db", url, "db", "status")
    assert code == 0 and "数据库版本" in out
    code, out, _ = run(capsys, "--db", url, "db", "backup", "--out", str(tmp_path / "copy.sqlite3"))
    assert code == 0
    with sqlite3.connect(tmp_path / "copy.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM guest").fetchone()[0] == 20


def test_demo_twice_refreshes_catalogue_without_more_people(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "demo")
    code, out, _ = run(capsys, "--db", url, "demo")
    assert code == 0 and "新增 0 位客人" in out


def test_user_add_from_stdin_and_list(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")
    code, out, _ = run(capsys, "--db", url, "user", "add", "zhaoliu", "--name", "赵六", "--role", "supervisor",
                       "--password-stdin", stdin="long-enough-pw\n", monkeypatch=monkeypatch)
    assert code == 0
    code, out, _ = run(capsys, "--db", url, "user", "list")
    assert "zhaoliu" in out and "前台主管" in out


def test_user_add_with_short_password_fails_cleanly(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")
    code, out, err = run(capsys, "--db", url, "user", "add", "zhaoliu", "--password-stdin", stdin="short\n",
                         monkeypatch=monkeypatch)
    assert code == 1 and "密码至少" in err and "Traceback" not in err


def test_missing_database_file_is_an_error_not_a_new_database(capsys, tmp_path):
    target = tmp_path / "gone.sqlite3"
    code, _, err = run(capsys, "--db", f"sqlite:///{target}", "db", "status")
    assert code == 1 and "不存在" in err and not target.exists()


def test_bad_argument_exits_2_with_message(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["demo", "--guests", "-5"])
    assert exc.value.code == 2 and "参数错误" in capsys.readouterr().err


def test_bad_url_in_english(capsys):
    code, _, err = run(capsys, "--lang", "en", "--db", "mysql://x/y", "db", "status")
    assert code == 1 and "Unrecognised database URL" in err


def test_newer_database_is_refused(capsys, tmp_path):
    path = tmp_path / "new.sqlite3"
    run(capsys, "--db", f"sqlite:///{path}", "db", "migrate")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE schema_meta SET value='99' WHERE key='version'")
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "db", "status")
    assert code == 1 and "99" in err and "升级 FrontDesk" in err


def test_driver_error_during_a_command_is_a_message_not_a_bug(capsys, tmp_path, monkeypatch):
    import sqlite3 as sq

    from frontdesk.services import search

    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")

    def locked(*args, **kwargs):
        raise sq.OperationalError("database is locked")  # another program holds the file mid-read

    monkeypatch.setattr(search, "search", locked)
    code, _, err = run(capsys, "--db", url, "search", "zzz")
    assert code == 1 and "占用" in err and "程序出错" not in err


def test_user_add_without_a_terminal_says_how_to_pass_the_password(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")
    # A pipe, not a terminal (io.StringIO.isatty() is False), and no --password-stdin.
    code, _, err = run(capsys, "--db", url, "user", "add", "zhaoliu", stdin="", monkeypatch=monkeypatch)
    assert code == 2
    assert "--password-stdin" in err and "程序出错" not in err
    code, out, _ = run(capsys, "--db", url, "user", "list")
    assert "zhaoliu" not in out


def test_user_add_without_a_terminal_in_english(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")
    code, _, err = run(capsys, "--lang", "en", "--db", url, "user", "add", "zhaoliu", stdin="",
                       monkeypatch=monkeypatch)
    assert code == 2 and "no terminal" in err and "--password-stdin" in err
