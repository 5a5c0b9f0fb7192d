"""Command line: the GUI by default, admin and batch commands as subcommands.

Every command calls the same services as the GUI.  Expected failures print
one line in the user's language and exit non-zero; nothing prints a traceback
except a bug, which is also logged.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from pathlib import Path

from frontdesk import __version__, config, i18n
from frontdesk.errors import UserError, ValidationError
from frontdesk.i18n import tr

log = logging.getLogger(__name__)

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own wording stays; the lead-in is translated
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, tr("参数错误：{m}\n", "Bad argument: {m}\n", m=message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="frontdesk", description=tr("体检中心前台系统", "Front desk of a physical-examination centre"))
    parser.add_argument("--version", action="version", version=f"FrontDesk {__version__}")
    parser.add_argument("--db", metavar="URL", help=tr("数据库地址（sqlite:///文件 或 postgresql://…）",
                                                       "database URL (sqlite:///FILE or postgresql://…)"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=tr("界面语言", "interface language"))
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser(
        "demo", help=tr("在新的空数据库中建立演示数据", "build the demo in a new, empty database"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_wrapped(tr(
            "建立演示数据：目录、演示账号，以及由前台自己的服务逐笔办理的几天（登记、预约、报到收费、打印标签到文件、收取标本、"
            "加项、主管退项、送检、存取物品）：过去几天已全部办完，今天是进行中的上午。\n"
            "--guests/--visits 另外批量写入这些天之前的历史体检（用于大数据量测试；批量写入，不经服务，但记录形状与服务相同）。\n"
            "只在新的空数据库中运行：有真实用户或客人的数据库会被拒绝，不作任何更改；已有演示数据的数据库保持不变。",
            "Builds the demo: the catalogue, the demo accounts and a few days made one by one through the desk's own "
            "services (registration, bookings, check-in with payment, labels printed to files, containers received, "
            "add-ons, a supervisor's refund, lab hand-overs, belongings): the past days are finished, today is a "
            "morning in progress.\n"
            "--guests/--visits add bulk history before those days (for large benchmark databases): written in bulk, "
            "not through the services, shaped as the services would leave finished visits.\n"
            "Runs only on a new, empty database: one with real users or guests is refused with nothing changed; one "
            "that holds the demo already is left as it is.")))
    demo.add_argument("--days", type=_count, default=3,
                      help=tr("今天之前由服务办理的天数（默认 3）", "past days built through the services before today "
                              "(default 3)"))
    demo.add_argument("--scale", type=float, default=1.0,
                      help=tr("每天的客流倍数（1 约为每天 30 人次）", "visitors a day, as a multiple (1: about 30 a day)"))
    demo.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD",
                      help=tr("以哪一天为“今天”（默认今天）", "the day taken as today (default: today)"))
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--guests", type=_count, default=0,
                      help=tr("批量历史：客人数（默认 0）", "bulk history: number of guests (default 0)"))
    demo.add_argument("--visits", type=_count, default=0,
                      help=tr("批量历史：体检人次（默认 0）", "bulk history: number of visits (default 0)"))
    demo.add_argument("--history-days", type=_positive, default=365,
                      help=tr("批量历史覆盖的天数（默认 365）", "days the bulk history covers (default 365)"))
    demo.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help=tr("演示打印文件（标签）的文件夹（默认数据文件夹下 demo-prints）",
                              "folder for the demo's print files (labels; default: demo-prints in the data folder)"))

    dbp = sub.add_parser("db", help=tr("数据库维护", "database maintenance"))
    dbsub = dbp.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    migrate = dbsub.add_parser("migrate", help=tr("升级数据库结构", "upgrade the schema"))
    migrate.add_argument("--create-desk-role", metavar="NAME", default=None,
                         help=tr("（PostgreSQL）建立或更新前台使用的数据库角色并授权，打印前台的数据库地址",
                                 "(PostgreSQL) create or update the database role the desks use, grant it what a desk "
                                 "needs, and print the desks' database URL"))
    migrate.add_argument("--password-stdin", action="store_true",
                         help=tr("从标准输入读取该角色的密码", "read that role's password from standard input"))
    migrate.add_argument("--to", metavar="POSTGRESQL_URL", default=None,
                         help=tr("把单机 SQLite 数据库复制到一个空的 PostgreSQL 数据库并校验",
                                 "copy the single-desk SQLite database into an empty PostgreSQL database, verified"))
    dbsub.add_parser("status", help=tr("显示数据库版本", "show the schema version"))
    backup = dbsub.add_parser("backup", help=tr("备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）",
                                                "back up the database (SQLite online backup; pg_dump for PostgreSQL)"))
    backup.add_argument("--out", type=Path, help=tr("备份文件路径", "backup file path"))
    restore = dbsub.add_parser("restore", help=tr("从备份恢复数据库（数据库中的数据比备份新时需 --force）",
                                                  "restore the database from a backup (--force when the database "
                                                  "holds newer data)"))
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--force", action="store_true",
                         help=tr("即使数据库中的数据比备份新也恢复（先自动备份当前数据库）",
                                 "restore even over newer data (the current database is backed up first)"))

    user = sub.add_parser("user", help=tr("用户管理", "staff accounts"))
    usub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    add = usub.add_parser("add", help=tr("添加用户", "add an account"))
    add.add_argument("username")
    add.add_argument("--name", default="", help=tr("显示名", "display name"))
    add.add_argument("--role", choices=["reception", "supervisor", "admin"], default="reception")
    add.add_argument("--password-stdin", action="store_true",
                     help=tr("从标准输入读取密码", "read the password from standard input"))
    usub.add_parser("list", help=tr("列出用户", "list accounts"))

    search = sub.add_parser("search", help=tr("查找客人、预约和体检（同前台搜索框，个人信息脱敏显示）",
                                             "find guests, bookings and visits like the desk's search box (masked)"))
    search.add_argument("query", help=tr("身份证号、手机号、体检号、预约号、标本条码、姓名或拼音首字母",
                                         "ID number, mobile, visit/booking number, specimen barcode, name or pinyin initials"))
    search.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                        help=tr("以哪一天为“今天”（默认今天）", "the day taken as today (default: today)"))
    search.add_argument("--json", action="store_true", help=tr("以 JSON 列表输出", "print a JSON list"))
    search.add_argument("--limit", type=_positive, default=30)

    labels = sub.add_parser("labels", help=tr("把某次体检的标本标签写成文件（PNG/PDF/ZPL），不计为打印",
                                             "write a visit's specimen labels as files (PNG/PDF/ZPL); not counted as printed"))
    labels.add_argument("visit_no", metavar="VISIT_NO", help=tr("体检号", "visit number"))
    labels.add_argument("--out", type=Path, required=True, metavar="DIR", help=tr("输出文件夹", "output folder"))
    labels.add_argument("--format", choices=["png", "pdf", "zpl"], required=True,
                        help=tr("png、zpl：每张标签一个文件；pdf：一个文件", "png, zpl: a file per label; pdf: one file"))
    labels.add_argument("--dpi", type=int, choices=[203, 300], default=203, help=tr("打印机分辨率", "printer resolution"))
    labels.add_argument("--size", type=_label_size, default="50x25", help=tr("标签尺寸（毫米）：50x25、50x30、60x40",
                                                                            "label size in mm: 50x25, 50x30, 60x40"))
    labels.add_argument("--moment", choices=["check_in", "hand_in", "all"], default="all",
                        help=tr("哪些标签：报到时、交回容器时或全部（默认）", "which labels: at check-in, at hand-in or all (default)"))

    roster = sub.add_parser("roster", help=tr("团检名单", "group rosters"))
    rsub = roster.add_subparsers(dest="roster_command", required=True, parser_class=_Parser)
    rimport = rsub.add_parser("import", help=tr("从 .xlsx/.csv 导入单位的体检名单", "import an organisation's roster "
                                                "from .xlsx/.csv"))
    rimport.add_argument("file", type=Path, metavar="FILE")
    rimport.add_argument("--org", required=True, metavar="NAME", help=tr("单位名称", "organisation name"))
    rimport.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                         help=tr("合同有效的日期（默认今天）", "a day the contract covers (default: today)"))
    rimport.add_argument("--package", default="", metavar="CODE", help=tr("名单中没有套餐时使用的套餐代码",
                                                                         "package code for rows without one"))
    rimport.add_argument("--dry-run", action="store_true", help=tr("只检查，不写入", "check only, write nothing"))
    rimport.add_argument("--errors", type=Path, default=None, metavar="OUT.xlsx",
                         help=tr("把错误行及原因写入此工作簿", "write the rejected rows with reasons to this workbook"))

    rep = sub.add_parser("reports", help=tr("体检报告：到达登记、待通知名单", "reports: arrival, the call list"))
    repsub = rep.add_subparsers(dest="reports_command", required=True, parser_class=_Parser)
    receive = repsub.add_parser("receive", help=tr("按报告系统导出的 .csv/.xlsx 清单登记报告到达（全部或全不）",
                                                  "mark reports received from the report system's .csv/.xlsx list "
                                                  "(all or nothing)"))
    receive.add_argument("file", type=Path, metavar="FILE")
    receive.add_argument("--shelf", default="", metavar="NO", help=tr("柜位号（清单第二列没有时）",
                                                                     "shelf number (where the list's second column has none)"))
    calls = repsub.add_parser("calls", help=tr("导出报告到达后超过 N 天未领取的名单（脱敏，记入审计）",
                                              "export the reports not collected after N days (masked, audited)"))
    calls.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.csv")
    calls.add_argument("--days", type=int, default=None, metavar="N", help=tr("默认取中心设置", "default: the site setting"))

    rpt = sub.add_parser("report", help=tr("日结报表：PDF、CSV、XLSX（个人信息脱敏，记入审计）",
                                           "the end-of-day report: PDF, CSV, XLSX (masked, audited)"))
    rptsub = rpt.add_subparsers(dest="report_command", required=True, parser_class=_Parser)
    eodp = rptsub.add_parser("eod", help=tr("某天的日结报表；已日结的日期给出签字时的数字及之后的更正",
                                           "a day's end-of-day report; a closed day gives the signed figures and "
                                           "the corrections since"))
    eodp.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    eodp.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    eodp.add_argument("--desk", default="", metavar="NAME", help=tr("只看这个前台（默认全院）", "one desk only (default: "
                                                                   "the whole site)"))
    eodp.add_argument("--csv", type=Path, default=None, metavar="DIR", help=tr("每一部分写一个 CSV 文件到此文件夹",
                                                                             "one CSV file per section in this folder"))
    eodp.add_argument("--xlsx", type=Path, default=None, metavar="FILE.xlsx",
                      help=tr("每一部分一个工作表", "one sheet per section"))

    return parser


def _wrapped(text: str) -> str:
    """Paragraphs wrapped for a terminal (a CJK character is two columns wide)."""
    import textwrap

    return "\n".join(textwrap.fill(p, 38 if any(ord(c) > 0x2e80 for c in p) else 78) for p in text.split("\n"))


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("日期格式应为 YYYY-MM-DD", "dates are written YYYY-MM-DD")) from None


def _label_size(text: str) -> str:
    from frontdesk.printing.label_layout import parse_label_size

    try:
        return parse_label_size(text).key
    except UserError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(tr("不能为负数", "must not be negative"))
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(tr("至少为 1", "must be at least 1"))
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = config.load()
    # The language must be known before the parser builds its help texts.
    lang = _peek_option(argv, "--lang") or settings.language
    i18n.set_language(lang if lang in i18n.LANGUAGES else "zh")
    args = build_parser().parse_args(argv)
    from frontdesk import log as logsetup

    logsetup.setup()
    url = args.db or settings.effective_db_url()
    if args.command is None:
        from frontdesk.app import run_gui

        return run_gui(settings, url)
    try:
        return _run_command(args, settings, url)
    except UserError as exc:
        print(tr("错误：{m}", "Error: {m}", m=exc.message), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return EXIT_USER_ERROR
    except Exception as exc:
        from frontdesk import paths
        from frontdesk.services.database import as_user_error

        known = as_user_error(exc)  # a lost connection or a locked file is a message, not a bug
        if isinstance(known, UserError):
            print(tr("错误：{m}", "Error: {m}", m=known.message), file=sys.stderr)
            return EXIT_USER_ERROR
        log.exception("command %s failed", args.command)

        print(tr("程序出错，详情已记录在 {p}", "Unexpected error; details are in {p}", p=paths.log_path()),
              file=sys.stderr)
        return EXIT_BUG


def _peek_option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _run_command(args, settings: config.WorkstationSettings, url: str) -> int:
    from frontdesk.services import database

    if args.command == "demo":
        return _demo(args, url)
    if args.command == "db" and args.db_command == "migrate":
        if args.to:
            return _migrate_to(url, args.to)
        target = database.open_database(url, create=True)
        version, latest = database.schema_status()
        print(tr("数据库 {t} 已是版本 {v}", "Database {t} is at schema version {v}", t=target.display(), v=version))
        if args.create_desk_role:
            return _create_desk_role(url, args.create_desk_role, args.password_stdin)
        return EXIT_OK
    if args.command == "db" and args.db_command == "restore":
        result = database.restore(url, args.file, force=args.force)
        print(tr("已从 {f} 恢复，数据库版本 {v}。", "Restored from {f}; schema version {v}.", f=args.file, v=result.version))
        if result.safety_copy:
            print(tr("恢复前的数据库已备份到 {p}", "The database as it was before is backed up in {p}",
                     p=result.safety_copy))
        return EXIT_OK
    if args.command == "db" and args.db_command == "status":
        database.open_database(url, create=False, upgrade=False)  # reports the version; never changes it
        version, latest = database.schema_status()
        print(tr("数据库版本 {v}（程序支持 {l}）", "schema version {v} (this program: {l})", v=version, l=latest))
        return EXIT_OK
    if args.command == "db" and args.db_command == "backup":
        print(tr("已备份到 {p}", "Backed up to {p}", p=database.backup_to(url, args.out)))
        return EXIT_OK
    # Only `db migrate` and the app's start upgrade a database (with a backup first).
    database.open_database(url, upgrade=False, require_current=True)
    if args.command == "user":
        return _user(args)
    if args.command == "search":
        return _search(args)
    if args.command == "labels":
        return _labels(args)
    if args.command == "roster":
        return _roster_import(args)
    if args.command == "reports":
        return _reports(args)
    if args.command == "report":
        return _report_eod(args)
    raise AssertionError(f"unhandled command {args.command}")


def _create_desk_role(url: str, name: str, password_stdin: bool) -> int:
    from frontdesk.storage import roles

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise ValidationError(tr("标准输入中没有密码。", "No password on standard input."))
    roles.create_desk_role(name, password)
    print(tr("前台角色 {n} 已就绪：只能向审计日志添加记录，不能修改表结构或触发器。",
             "Desk role {n} is ready: it may only add to the audit log and cannot alter tables or triggers.", n=name))
    print(tr("前台的数据库地址：", "The desks' database URL:"))
    print(roles.desk_url(url, name, with_password="PASSWORD" if password else None))
    if password:
        print(tr("（把 PASSWORD 换成刚才输入的密码；密码不会显示。）",
                 "(Replace PASSWORD with the password you gave; it is not shown.)"))
    return EXIT_OK


def _migrate_to(url: str, to_url: str) -> int:
    from frontdesk.services import database
    from frontdesk.storage import copy
    from frontdesk.storage.db import parse_url

    try:
        checks = database.migrate_to_postgresql(url, to_url)
    except copy.CopyMismatch as exc:
        print(copy.format_checks(exc.checks))
        raise
    print(copy.format_checks(checks))
    print(tr("已复制并校验 {n} 张表（行数和校验和一致）。各前台现在可以使用 {u}",
             "{n} tables copied and verified (row counts and checksums match). The desks can now use {u}",
             n=len(checks), u=parse_url(to_url).display()))
    return EXIT_OK


def _demo(args, url: str) -> int:
    from frontdesk.services import database, demo

    if args.visits and not args.guests:
        print(tr("批量历史的体检需要客人：请同时给出 --guests", "Bulk history visits need guests: give --guests too"),
              file=sys.stderr)
        return EXIT_USAGE
    if args.scale <= 0 or args.scale > 50:
        print(tr("--scale 应在 0 到 50 之间", "--scale must be between 0 and 50"), file=sys.stderr)
        return EXIT_USAGE
    # Look before migrating: a database that is not the demo's is left exactly as it was.
    database.open_database(url, create=True, upgrade=False)
    try:
        demo.check_database()
    except demo.DemoExistsError as exc:
        print(exc.message)
        return EXIT_OK
    database.open_database(url, create=True)
    started = time.monotonic()

    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        # Every service-built day; bulk history in tenths, and only when it is large.
        if stage == "days" or (total >= 50000 and (done == total or done - shown.get(stage, 0) >= total // 10)):
            shown[stage] = done
            print(f"  {stage}: {done}/{total}", flush=True)

    summary = demo.build(today=args.today, days=args.days, seed=args.seed, scale=args.scale,
                         history_guests=args.guests, history_visits=args.visits, history_days=args.history_days,
                         output_dir=args.out, progress=progress)
    if summary.history_visits or summary.history_guests:
        print(tr("批量历史：{g} 位客人、{v} 次体检", "Bulk history: {g} guests, {v} visits",
                 g=summary.history_guests, v=summary.history_visits))
    print(tr("演示日 {d}：{n} 天共 {v} 次体检、{g} 位客人、{r} 张收据，净收 {t} 元；今天还有 {w} 位预约客人未到；用时 {s:.1f} 秒",
             "Demo day {d}: {v} visits and {g} guests over {n} days, {r} receipts, {t} taken net; {w} of today's "
             "booked guests still to come; {s:.1f} s", d=summary.today, n=summary.days, v=summary.visits,
             g=summary.guests, r=summary.receipts, t=summary.takings, w=summary.bookings_waiting,
             s=time.monotonic() - started))
    print(tr("标签文件：{p}", "Label files: {p}", p=summary.output_dir))
    for note in summary.notes:
        print("  " + note)
    for username, name, role, password in demo.DEMO_ACCOUNTS:
        print(tr("演示账号 {u} / {p}（{r}）", "Demo account {u} / {p} ({r})", u=username, p=password, r=role.label()))
    return EXIT_OK


def _user(args) -> int:
    from frontdesk.domain.enums import Role
    from frontdesk.services import auth
    from frontdesk.services.session import SYSTEM

    if args.user_command == "list":
        for user in auth.list_users():
            print(f"{user.username}\t{user.display_name}\t{Role(user.role).label()}\t"
                  f"{'' if user.active else tr('已停用', 'disabled')}")
        return EXIT_OK
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n") if sys.stdin is not None else ""
    elif sys.stdin is None or not sys.stdin.isatty():
        # No terminal to ask on (a script, a service, a pipe): say how to give it instead.
        print(tr("错误：没有终端可输入密码。请用 --password-stdin 从标准输入传入密码，例如：\n"
                 "  echo \"$PASSWORD\" | frontdesk user add {u} --password-stdin",
                 "Error: there is no terminal to type the password on. Pass it on standard input with "
                 "--password-stdin, for example:\n  echo \"$PASSWORD\" | frontdesk user add {u} --password-stdin",
                 u=args.username), file=sys.stderr)
        return EXIT_USAGE
    else:
        password = getpass.getpass(tr("密码：", "Password: "))
        if getpass.getpass(tr("再次输入密码：", "Repeat the password: ")) != password:
            raise UserError(tr("两次输入的密码不一致。", "The passwords do not match."))
    auth.create_user(SYSTEM, args.username, args.name, Role(args.role), password)
    print(tr("已添加用户 {u}", "Added account {u}", u=args.username))
    return EXIT_OK


def _search(args) -> int:
    """Masked output only: the command line is for support and scripts, not for reading personal data."""
    import json

    from frontdesk.services import search

    hits = search.search(args.query, day=args.date, limit=args.limit)
    if args.json:
        rows = [dict(hit.masked(), date=hit.date.isoformat() if hit.date else None, number=hit.number)
                for hit in hits]
        print(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return EXIT_OK
    if not hits:
        print(tr("没有找到", "Nothing found"))
        return EXIT_OK
    kinds = {"booking": tr("预约", "booking"), "visit": tr("体检", "visit"), "guest": tr("客人", "guest")}
    for hit in hits:
        print("\t".join([kinds[hit.kind], hit.name_masked, hit.id_number_masked, hit.phone_masked,
                         hit.number or "-", hit.date.isoformat() if hit.date else "-", hit.status_label or "-",
                         hit.package_name or "-"]))
    return EXIT_OK


def _roster_import(args) -> int:
    """Counts and reasons on the terminal; exit 1 when nothing could be imported."""
    from frontdesk.services import roster_import
    from frontdesk.services.session import SYSTEM

    result = roster_import.preview(args.file, args.org, day=args.date, package_code=args.package)
    print(roster_import.summary(result))
    for row in result.rows:
        if row.reasons:
            print(tr("第{r}行 {s}：{why}", "row {r} {s}: {why}", r=row.sheet_row, s=row.status.label(),
                     why=row.reason_text))
    if args.errors is not None:
        count = roster_import.write_error_workbook(result, args.errors)
        print(tr("{n} 个错误行已写入 {p}", "{n} rejected rows written to {p}", n=count, p=args.errors))
    if args.dry_run:
        print(tr("试运行：未写入任何内容", "Dry run: nothing written"))
        return EXIT_OK if result.to_add or not result.errors else EXIT_USER_ERROR
    if not result.to_add:
        print(tr("没有可导入的新人员", "Nobody new could be imported"), file=sys.stderr)
        return EXIT_USER_ERROR
    done = roster_import.import_roster(SYSTEM, result)
    print(tr("已导入 {n} 人到合同“{c}”", "Imported {n} people into contract “{c}”", n=done.added,
             c=result.contract.contract_name))
    return EXIT_OK


def _reports(args) -> int:
    """Arrival lists and the call list from scripts, through the desk's services (audited as the system)."""
    from frontdesk.services import reports
    from frontdesk.services.session import SYSTEM

    if args.reports_command == "receive":
        try:
            outcome = reports.receive_reports(SYSTEM, reports.read_arrival_file(args.file), shelf_no=args.shelf)
        except reports.ArrivalRefusedError as exc:
            for problem in exc.problems:
                print(problem.text(), file=sys.stderr)
            print(tr("{n} 份无法登记，本清单未登记任何报告", "{n} cannot be received; nothing of this list was",
                     n=len(exc.problems)), file=sys.stderr)
            return EXIT_USER_ERROR
        print(tr("已登记 {n} 份，之前已登记 {a} 份", "{n} received, {a} received before", n=len(outcome.received),
                 a=len(outcome.already)))
        return EXIT_OK
    count = reports.export_call_list(SYSTEM, args.out, days=args.days)
    print(tr("已导出 {n} 人（已脱敏）到 {p}", "Exported {n} guests (masked) to {p}", n=count, p=args.out))
    return EXIT_OK


def _report_eod(args) -> int:
    """The end-of-day report as files, masked, audited as the system (the same service as the 日结 screen)."""
    from frontdesk.services import eod, eod_export
    from frontdesk.services.session import SYSTEM

    report = eod.build_report(SYSTEM, args.date, desk=args.desk or None)
    if not report.has_data:
        print(tr("{d} 没有业务数据；报表照常生成并注明", "{d} has no activity; the report says so",
                 d=args.date.isoformat()))
    if args.csv is not None:
        files = eod_export.export_csv(SYSTEM, report, args.csv)
        print(tr("已写入 {n} 个 CSV 文件到 {p}", "Wrote {n} CSV files to {p}", n=len(files), p=args.csv))
    if args.xlsx is not None:
        print(tr("已写入 {p}", "Wrote {p}", p=eod_export.export_xlsx(SYSTEM, report, args.xlsx)))
    print(tr("已写入 {p}", "Wrote {p}", p=eod_export.export_pdf(SYSTEM, report, args.out)))
    closing = report.closing
    if closing.closed and closing.signed_figures:
        print(tr("{d} 已日结：数字为签字时的数字，之后更正 {n} 笔", "{d} is closed: the signed figures, {n} corrections "
                 "since", d=args.date.isoformat(), n=len(closing.corrections)))
    return EXIT_OK


def _labels(args) -> int:
    """Files for scripts and checks: the same labels the desk prints, without changing any status."""
    from frontdesk.domain.codes import CodeKind, parse_code
    from frontdesk.printing.label_output import write_label_files
    from frontdesk.services import labels

    kind, visit_no = parse_code(args.visit_no)
    if kind is not CodeKind.VISIT:
        raise UserError(tr("{n} 不是体检号", "{n} is not a visit number", n=args.visit_no))
    visit_id, _ = labels.find_visit(visit_no)
    layouts = labels.labels_for_visit(visit_id, moment=args.moment, size=args.size, dpi=args.dpi)
    if not layouts:
        print(tr("体检号 {v} 没有需要标签的标本", "Visit {v} has no specimens to label", v=visit_no))
        return EXIT_OK
    written = write_label_files(args.out, layouts, args.format, basename=f"labels-{visit_no}")
    for path in written:
        print(path)
    _audit_label_export(visit_id, visit_no, args, labels=len(layouts), files=len(written))
    print(tr("共 {n} 张标签", "{n} labels", n=len(layouts)))
    return EXIT_OK


def _audit_label_export(visit_id: int, visit_no: str, args, *, labels: int, files: int) -> None:
    """The files carry full names: record who wrote them from which computer, and where to."""
    import socket

    from frontdesk.services.document_audit import record_label_export
    from frontdesk.services.session import SYSTEM

    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        os_user = ""
    record_label_export(SYSTEM, visit_id, visit_no, folder=str(Path(args.out).resolve()), file_format=args.format,
                        labels=labels, files=files, os_user=os_user, host=socket.gethostname())
