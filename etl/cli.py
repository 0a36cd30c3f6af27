"""The command line: python -m etl load | check | demo | samples | template | rebuild | backup | restore | user | report | export.

Messages are Chinese; `--json` keys are the contract's. Exit 0 when no file was
refused, 1 when any was (or the warehouse could not be written), 2 on usage errors.
No traceback ever reaches the person at the terminal.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from etl import settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"argument (\S+): invalid int value: '(.*)'", r"参数 \1 应为整数，“\2”不是整数"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 无效：\2，可选：\3"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面需要一个值"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),  # our own type checks' Chinese, e.g. --year
)


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own words, put in Chinese
        for pattern, replacement in _ARGPARSE_MESSAGES:
            message = re.sub(pattern, replacement, message)
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}。运行 python -m etl --help 查看用法。", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度“{text}”不是整数年份（如 2021）") from None
    if not 1990 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"年度 {value} 不在 1990–2100 之间")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="python -m etl", description="法治看板数据导入工具")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=ChineseArgumentParser)
    load = commands.add_parser(
        "load",
        help="导入部门报送的工作簿（文件或文件夹）",
        description="导入 .xlsx / .xls / .ods 工作簿；每个文件要么整份导入，要么整份拒收",
    )
    load.add_argument("paths", nargs="+", metavar="路径", help="文件或文件夹")
    load.add_argument("--db", help="数据库文件（默认：环境变量 FAZHI_DB，否则 data/warehouse.duckdb）")
    load.add_argument("--year", type=_year, help="文件里没写年度时使用的年度")
    load.add_argument("--json", action="store_true", help="以 JSON 输出结果（每个文件一项）")
    load.add_argument("--town", help="全区多个镇时：这些文件是哪个镇（街道）的（文件名或标题没写镇名时使用）")
    check = commands.add_parser(
        "check",
        help="检查数据库的各项约束（唯一、不为空、取值、关联、目录规则、原始文件），有违反时退出码为 1",
        description="逐项检查 etl/loading/invariants.toml 中声明的数据库约束，列出每一处违反",
    )
    check.add_argument("--db", help="数据库文件（默认：环境变量 FAZHI_DB，否则 data/warehouse.duckdb）")
    demo = commands.add_parser("demo", help="用 data/samples 中的示例工作簿重建演示数据库")
    demo.add_argument("--db", help="数据库文件（默认同上）")
    samples = commands.add_parser("samples", help="重新生成 data/samples 中的示例工作簿")
    samples.add_argument("-o", "--output", default=str(settings.SAMPLES_DIR), help="输出文件夹")
    rebuild = commands.add_parser("rebuild", help="用保存的原始工作簿重建数据库（原件不全时拒绝，旧库另存）")
    rebuild.add_argument("--db", help="数据库文件（默认同上）")
    rebuild.add_argument("--include-unloaded", action="store_true", help="也导入清单里有、数据库里没有的原件（上次导入中途被打断时）")
    backup = commands.add_parser("backup", help="把数据库和原始工作簿备份为一个文件")
    backup.add_argument("output", metavar="备份文件", help="输出的 .zip 文件")
    backup.add_argument("--db", help="数据库文件（默认同上）")
    restore = commands.add_parser("restore", help="从备份文件恢复数据库和原始工作簿")
    restore.add_argument("source", metavar="备份文件", help="python -m etl backup 生成的 .zip 文件")
    restore.add_argument("--db", help="数据库文件（默认同上）")
    template = commands.add_parser("template", help="生成某部门的空白填报模板")
    template.add_argument("department", metavar="部门", help="党政综合办 / 司法所 / 综治办 / 禁毒办，或报表名称")
    template.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .xlsx 文件")
    template.add_argument("--year", type=_year, help="预先填好的年度")
    template.add_argument("--town", help="全区多个镇时必填：哪个镇（街道）的模板")
    user = commands.add_parser("user", help="管理看板的登录用户（有用户文件时看板要求登录）")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="操作", parser_class=ChineseArgumentParser)
    add = user_commands.add_parser("add", help="添加用户，或重设已有用户的角色、部门和密码")
    add.add_argument("name", metavar="用户名")
    add.add_argument("--role", required=True, choices=["viewer", "uploader", "admin"], help="viewer 查看 / uploader 上报 / admin 管理员")
    add.add_argument("--department", help="上报用户所属部门：党政综合办 / 司法所 / 综治办 / 禁毒办")
    add.add_argument("--town", help="全区多个镇时：上报用户只能报这个镇（街道）的报表")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读密码（脚本用），不交互询问")
    add.add_argument("--users", help="用户文件（默认：环境变量 FAZHI_USERS，否则 data/users.toml）")
    remove = user_commands.add_parser("remove", help="删除用户（已登录的会话在下一次操作时退出）")
    remove.add_argument("name", metavar="用户名")
    remove.add_argument("--users", help="用户文件（默认同上）")
    listing = user_commands.add_parser("list", help="列出用户（不显示密码）")
    listing.add_argument("--users", help="用户文件（默认同上）")
    report = commands.add_parser(
        "report",
        help="按数据仓库起草年度《法治政府建设情况的报告》（.docx，每个数字带来源批注）",
        description="按 data/report.toml 的措辞起草年度报告：公文格式的 Word 文件，每个数字的批注注明来源单元格，未上报的数字标为【待补】",
    )
    report.add_argument("--year", type=_year, help="报告年度（默认：各部门都已报齐的最近一年）")
    report.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .docx 文件")
    report.add_argument("--db", help="数据库文件（默认：环境变量 FAZHI_DB，否则 data/warehouse.duckdb）")
    report.add_argument("--template", metavar="模板", help="报告模板（默认 data/report.toml）")
    report.add_argument("--no-compare", action="store_true", help="不写“较上年……”的同比")
    report.add_argument("--town", help="全区多个镇时必填：哪个镇（街道）的报告")
    export = commands.add_parser(
        "export",
        help="把公共视图导出为 Parquet 数据湖（按年度和镇分区），供其他分析工具读取",
        description="把数据仓库的公共视图写成 Parquet 文件：指标数值和普法活动按年度、镇分区，其余各一个文件，另附 _schema.json",
    )
    export.add_argument("--parquet", required=True, metavar="文件夹", help="输出的文件夹（已有的本系统数据湖会被整体替换）")
    export.add_argument("--db", help="数据库文件（默认：环境变量 FAZHI_DB，否则 data/warehouse.duckdb）")
    return parser


def _print_report(item, index: int, total: int) -> None:
    mark = {"loaded": "✔ 已导入", "duplicate": "＝ 重复，未计入", "rejected": "✘ 拒收"}[item.status]
    counter = f"[{index}/{total}] " if total > 1 else ""
    rows = f"（{item.rows} 项数据）" if item.status == "loaded" else ""
    print(f"{counter}{mark}：{item.file}{rows}", flush=True)
    for problem in item.errors:
        where = "，".join(
            p for p in (f"工作表“{problem.sheet}”" if problem.sheet else "", f"单元格 {problem.cell}" if problem.cell else "") if p
        )
        print(f"    - {where + '：' if where else ''}{problem.message}")
        print(f"      （问题代码 {problem.code}，供管理员查阅）")
    for notice in item.notices:
        print(f"    · {notice}")


def command_load(args) -> int:
    from etl.loading import loader

    files, missing = loader.collect_paths(args.paths)
    if missing:
        print(f"用法错误：找不到 {'、'.join(missing)}。请检查路径。", file=sys.stderr)
        return EXIT_USAGE
    if not files:
        print("用法错误：所给的文件夹里没有 .xlsx / .xls / .ods 工作簿。", file=sys.stderr)
        return EXIT_USAGE
    town = _town(args.town, required=False)
    if town is False:
        return EXIT_USAGE
    db = _db(args)
    counter = {"n": 0}

    def progress(item) -> None:
        counter["n"] += 1
        if not args.json:
            _print_report(item, counter["n"], len(files))

    reports = loader.load_paths(db, files, year=args.year, progress=progress, actor=_cli_actor(), town=town)
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2, default=str))
    else:
        counts = {s: sum(1 for r in reports if r.status == s) for s in ("loaded", "duplicate", "rejected")}
        print(f"共 {len(reports)} 个文件：导入 {counts['loaded']}，重复 {counts['duplicate']}，拒收 {counts['rejected']}。数据库：{db}")
    return EXIT_REJECTED if any(r.status == "rejected" for r in reports) else EXIT_OK


def command_check(args) -> int:
    import duckdb

    from etl.loading import invariants, originals

    db = _db(args)
    if not db.exists():
        print(f"用法错误：数据库 {db} 不存在。", file=sys.stderr)
        return EXIT_USAGE
    con = duckdb.connect(str(db), read_only=True)
    try:
        outcomes = invariants.check(con, originals.store_dir(db.resolve()))
    finally:
        con.close()
    for outcome in outcomes:
        if outcome.skipped:
            print(f"－ 未检查：{outcome.check.name}（{outcome.skipped}）")
        elif outcome.passed:
            print(f"✔ {outcome.check.name}")
        else:
            print(f"✘ {outcome.check.name}：{outcome.violations} 处违反")
            for example in outcome.examples:
                print(f"    - {example}")
            if outcome.violations > len(outcome.examples):
                print(f"    - ……另有 {outcome.violations - len(outcome.examples)} 处")
    broken = invariants.violations(outcomes)
    print(f"共 {len(outcomes)} 项约束：{'全部成立' if not broken else f'{len(broken)} 项有违反'}。数据库：{db}")
    return EXIT_REJECTED if broken else EXIT_OK


def command_demo(args) -> int:
    from etl.authoring import demo

    db = Path(args.db) if args.db else settings.db_path()
    demo.build_demo(db)
    print(f"演示数据库已重建：{db}（演示数据，2021 年数字与十里亭镇 2021 年度法治政府建设报告一致）")
    return EXIT_OK


def command_samples(args) -> int:
    from etl.authoring import demo

    written = demo.write_samples(Path(args.output))
    print(f"已生成 {len(written)} 个示例工作簿：{args.output}")
    return EXIT_OK


def _db(args) -> Path:
    return Path(args.db) if args.db else settings.db_path()


def command_rebuild(args) -> int:
    from etl.loading import maintenance

    try:
        replayed, left_out, previous = maintenance.rebuild(_db(args), include_unloaded=args.include_unloaded)
    except maintenance.RebuildRefused as refused:
        print(f"未重建：{refused}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"已用 {replayed} 份保存的原始工作簿重建数据库：{_db(args)}")
    if previous:
        print(f"重建前的数据库已另存为 {previous}，核对无误后可以删除")
    if left_out:
        print(
            f"另有 {left_out} 份原件记在清单里却不在数据库中（上次导入中途被打断），本次没有导入；"
            "确需导入请加 --include-unloaded 再重建，或直接用 python -m etl load 导入原文件"
        )
    return EXIT_OK


def command_backup(args) -> int:
    from etl.loading import maintenance

    if not _db(args).exists():
        print(f"用法错误：数据库 {_db(args)} 不存在，没有可备份的内容。", file=sys.stderr)
        return EXIT_USAGE
    target = maintenance.backup(_db(args), Path(args.output))
    print(f"已备份到 {target}（{target.stat().st_size // 1024} KB，含数据库和全部原始工作簿）")
    return EXIT_OK


def command_restore(args) -> int:
    from etl.loading import maintenance

    try:
        maintenance.restore(Path(args.source), _db(args))
    except maintenance.BadBackup:
        print(f"用法错误：{args.source} 不是本系统生成的备份文件，未做任何改动。", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError:
        print(f"用法错误：找不到 {args.source}。", file=sys.stderr)
        return EXIT_USAGE
    print(f"已从 {args.source} 恢复数据库：{_db(args)}")
    return EXIT_OK


def command_template(args) -> int:
    from etl.authoring import templates
    from etl.reference.catalog import load_catalog

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        print("用法错误：模板只能保存为 .xlsx 文件，请把输出文件名改为以 .xlsx 结尾。", file=sys.stderr)
        return EXIT_USAGE
    town = _town(args.town, required=True)
    if town is False:
        return EXIT_USAGE
    topics = templates.write_template(args.department, output, args.year, town)
    if not topics:
        names = "、".join(templates.department_names(load_catalog()))
        print(f"用法错误：不认识部门“{args.department}”。可选：{names}", file=sys.stderr)
        return EXIT_USAGE
    print(f"已生成模板：{output}（{'、'.join(t.name for t in topics)}）")
    return EXIT_OK


def _town(written: str | None, required: bool) -> str | None | bool:
    """The town code --town names (None when not given or when there is one town), or False
    after saying, as a usage error, that the name is unknown or that a district needs one."""
    from etl.reference.places import load_places

    places = load_places()
    names = "、".join(town.name for town in places.towns.values())
    if written is None:
        if required and places.is_district:
            print(f"用法错误：全区有多个镇（街道），请用 --town 指明是哪一个：{names}", file=sys.stderr)
            return False
        return None
    town = places.town_named(written)
    if town is None:
        print(f"用法错误：不认识镇（街道）“{written}”。可选：{names}", file=sys.stderr)
        return False
    return town.code if places.is_district else None


def _town_name(code: str | None) -> str | None:
    from etl.reference.places import load_places

    return load_places().towns[code].name if code else None


def _cli_actor() -> str:
    """Loads from the command line are by 命令行 and the account that ran it."""
    import getpass

    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"


def command_user(args) -> int:
    import getpass

    from figures import access

    path = Path(args.users) if args.users else access.users_file()
    if path is None:
        print("用法错误：FAZHI_USERS=none，看板设为不要求登录，没有用户文件可改。请先去掉这个设置。", file=sys.stderr)
        return EXIT_USAGE
    if args.user_command == "remove":
        if not access.remove_user(args.name, path):
            print(f"用法错误：{path} 里没有用户“{args.name}”。", file=sys.stderr)
            return EXIT_USAGE
        print(f"已删除用户“{args.name}”；此人已登录的页面在下一次操作时退出。")
        return EXIT_OK
    if args.user_command == "list":
        users = access.read_users(path)
        if not users:
            print(f"还没有用户（{path} 不存在），看板不要求登录。")
        for user in users.values():
            department = f"，{user.department}" if user.department else ""
            town = f"，{user.town}" if user.town else ""
            print(f"{user.name}：{user.role}（{access.ROLE_NAMES[user.role]}{department}{town}）")
        return EXIT_OK
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码（至少 8 位）：")
        if getpass.getpass("再输入一次：") != password:
            print("用法错误：两次输入的密码不一致，未做任何改动。", file=sys.stderr)
            return EXIT_USAGE
    town = _town(args.town, required=False)
    if town is False:
        return EXIT_USAGE
    try:
        user = access.add_user(args.name, args.role, password, args.department, path, _town_name(town))
    except ValueError as exc:
        print(f"用法错误：{exc}。未做任何改动。", file=sys.stderr)
        return EXIT_USAGE
    department = f"，部门：{user.department}" if user.department else ""
    department += f"，只报{user.town}" if user.town else ""
    print(
        f"已保存用户“{user.name}”（{access.ROLE_NAMES[user.role]}{department}）到 {path}；看板现在要求登录，此人已登录的页面按新的权限在下一次操作时生效。"
    )
    return EXIT_OK


def command_report(args) -> int:
    """Draft the annual report from the warehouse: 0 written, 1 the warehouse cannot be read,
    2 usage errors (the file name, the year, the template)."""
    output = Path(args.output)
    if output.suffix.lower() != ".docx":
        print("用法错误：报告只能保存为 .docx 文件，请把输出文件名改为以 .docx 结尾。", file=sys.stderr)
        return EXIT_USAGE
    if not output.parent.is_dir():
        print(f"用法错误：找不到文件夹 {output.parent}。", file=sys.stderr)
        return EXIT_USAGE
    town = _town(args.town, required=True)
    if town is False:
        return EXIT_USAGE
    db = _db(args)
    if not db.is_file():
        print(f"无法读取数据库 {db}：文件不存在。请先导入报表（python -m etl load）或建演示库（python -m etl demo）。", file=sys.stderr)
        return EXIT_REJECTED
    # Imported here: the read side (pandas, python-docx) is for this command only.
    import duckdb

    from figures import periods
    from figures.report import draft, facts, template, word

    try:
        wording = template.load_template(args.template)
    except template.TemplateError as exc:
        print(f"用法错误：{exc}。", file=sys.stderr)
        return EXIT_USAGE
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        print(f"无法读取数据库 {db}：文件损坏或不是本系统的数据库，或正被另一个程序以写方式打开。请稍后再试。", file=sys.stderr)
        return EXIT_REJECTED
    try:
        read = facts.reader(con.cursor())
        years = read("available_years")
        if not years:
            print(f"用法错误：数据库 {db} 里还没有任何报表，无从起草。", file=sys.stderr)
            return EXIT_USAGE
        covered = periods.coverage(read("submission_ledger", town=town or ""))
        year = args.year or periods.default_range(years, covered)[1]
        if year not in years:
            print(f"用法错误：数据库里没有 {year} 年度的数据（已有：{'、'.join(map(str, years))}）。", file=sys.stderr)
            return EXIT_USAGE
        made = draft.draft_report(read, year, wording, compare=False if args.no_compare else None, town=town or "")
    except duckdb.Error:
        print(f"无法读取数据库 {db}：它不是本系统的数据库，或版本不符。", file=sys.stderr)
        return EXIT_REJECTED
    finally:
        con.close()
    output.write_bytes(word.docx_bytes(made))
    gaps = f"待补 {len(made.gaps)} 处（已用黄色标出并列在开头）" if made.gaps else "没有待补的数字"
    print(f"已起草 {year} 年度报告：{output}（{len(made.figures)} 个数字，每个都有批注注明来源单元格；{gaps}；待撰写 {made.todo} 处）")
    if made.partial_note:
        print(f"注意：{year} 年尚未报齐（{made.partial_note}），报告不写同比。")
    for gap in made.gaps:
        print(f"    - 待补：{gap}")
    return EXIT_OK


def command_export(args) -> int:
    """Write the public views as a Parquet lake: 0 written, 1 the folder is not ours or the
    warehouse cannot be read (nothing is written then)."""
    import duckdb

    from etl.loading import lake

    db, target = _db(args), Path(args.parquet)
    try:
        summary = lake.export(db, target)
    except lake.NotALake:
        print(
            f"未导出：文件夹 {target} 已存在，且不是本系统导出的数据湖（里面没有 {lake.SCHEMA_FILE}）。请换一个文件夹，或先移走它。",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    except FileNotFoundError:
        print(f"无法读取数据库 {db}：文件不存在。请先导入报表（python -m etl load）或建演示库（python -m etl demo）。", file=sys.stderr)
        return EXIT_REJECTED
    except duckdb.Error:
        print(f"无法读取数据库 {db}：文件损坏或不是本系统的数据库，或版本不符。没有写入任何文件。", file=sys.stderr)
        return EXIT_REJECTED
    for name, rows in summary.rows.items():
        print(f"    {name}：{rows} 行")
    print(f"已导出数据湖：{target}（{len(summary.rows)} 个公共视图，用时 {summary.seconds:.1f} 秒；表结构见 {lake.SCHEMA_FILE}）")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "load": command_load,
        "check": command_check,
        "demo": command_demo,
        "samples": command_samples,
        "template": command_template,
        "rebuild": command_rebuild,
        "backup": command_backup,
        "restore": command_restore,
        "user": command_user,
        "report": command_report,
        "export": command_export,
    }
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("已中断。已完成的文件已入库，未完成的文件没有写入任何数字。", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: a Chinese sentence, never a traceback
        import duckdb

        from etl.loading import files
        from etl.loading.warehouse import WarehouseBusy

        if files.is_disk_full(exc):
            print(files.disk_full_message(exc), file=sys.stderr)
        elif isinstance(exc, WarehouseBusy):
            print("另一次导入正在写入数据库，等了很久仍未结束。请稍后再试。本次没有写入任何数字。", file=sys.stderr)
        elif isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            print(
                "数据库文件正被另一个程序占用（可能是正在运行的看板或另一次导入）。请稍后再试，或在看板的“数据上报”页上传。",
                file=sys.stderr,
            )
        elif isinstance(exc, OSError):
            print(f"无法读写文件：{exc.strerror or '未知原因'}。请检查路径和权限。", file=sys.stderr)
        else:
            print(f"程序出错（{type(exc).__name__}），本次未完成的文件没有写入任何数字。请把这条信息告诉管理员。", file=sys.stderr)
        return EXIT_REJECTED
