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
    code, out, _ = run(capsys, "--db", url, "demo", "--guests", "20", "--visits", "10", "--history-days", "2",
                       "--days", "0", "--scale", "0.3", "--out", str(tmp_path / "prints"))
    assert code == 0 and "批量历史：20 位客人、10 次体检" in out and "qiantai" in out
    code, out, _ = run(capsys, "--db", url, "db", "status")
    assert code == 0 and "数据库版本" in out
    code, out, _ = run(capsys, "--db", url, "db", "backup", "--out", str(tmp_path / "copy.sqlite3"))
    assert code == 0
    with sqlite3.connect(tmp_path / "copy.sqlite3") as con:
        guests = con.execute("SELECT count(*) FROM guest").fetchone()[0]
        receipts = con.execute("SELECT count(*) FROM receipt").fetchone()[0]
    assert guests > 20 and receipts > 10


def test_demo_twice_leaves_the_demo_as_it_is(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "demo", "--days", "0", "--scale", "0.3", "--out", str(tmp_path / "prints"))
    with sqlite3.connect(tmp_path / "desk.sqlite3") as con:
        before = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    code, out, _ = run(capsys, "--db", url, "demo")
    assert code == 0 and "已有演示数据" in out and "未作更改" in out
    with sqlite3.connect(tmp_path / "desk.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_demo_refuses_a_database_with_real_users_and_changes_nothing(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run(capsys, "--db", url, "db", "migrate")
    run(capsys, "--db", url, "user", "add", "zhaoliu", "--role", "admin", "--password-stdin",
        stdin="long-enough-pw\n", monkeypatch=monkeypatch)

    def content():
        with sqlite3.connect(tmp_path / "desk.sqlite3") as con:
            return list(con.iterdump())

    before = content()
    code, out, err = run(capsys, "--db", url, "demo")
    assert code == 1 and "真实用户账号（zhaoliu）" in err and "未作任何更改" in err
    assert content() == before


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
    assert code == 1 and "99" in err and "请更新这台工作站" in err


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
