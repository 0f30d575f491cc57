"""Command line: `python -m server serve|migrate|demo|generate|create-admin|backup|restore|copy-db`.

Each command imports what it runs inside its function: a `backup` never loads the web app or the province
generator, and the supervisor of several `serve` workers never loads the application itself.
"""

import argparse
import getpass
import logging
import multiprocessing
import os
import sys
from datetime import date
from pathlib import Path

from server.config import Settings, get_settings


def serve_settings(args: argparse.Namespace) -> Settings:
    """The environment's settings; `--demo` also lets demo accounts in and opens the API docs."""
    settings = get_settings()
    if args.demo:
        settings.demo = True
        settings.api_docs = True
    return settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # loaded by this command only

    from server.prepare import prepare_database  # loaded by this command only

    settings = serve_settings(args)
    workers = args.workers or os.cpu_count() or 1
    if workers == 1:
        prepare_database(settings, args.demo)
        from server.app import create_app  # loaded by this command only
        from server.kit import collector  # loaded by this command only

        app = create_app(settings, migrate=False)
        collector.install(app)
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, **proxy_options(settings))
        return 0
    # The supervisor of several workers only watches them: the schema upgrade (and demo data) runs in a
    # process of its own, so the supervisor never loads the application (90 MB it would hold for nothing).
    prepare = multiprocessing.get_context("spawn").Process(target=prepare_database,
                                                           args=(settings, args.demo))
    prepare.start()
    prepare.join()
    if prepare.exitcode != 0:
        print("Lỗi: không cập nhật được cơ sở dữ liệu.", file=sys.stderr)
        return 1
    # Each worker builds its app from the environment: pass on what the flags changed, and make the key
    # (if generated) once, here, before the workers race to create it.
    settings.resolved_secret()
    os.environ["SOTAY_WORKERS"] = str(workers)
    if args.demo:
        os.environ["SOTAY_DEMO"] = os.environ["SOTAY_API_DOCS"] = "true"
    uvicorn.run("server.app:worker_app", factory=True, host=args.host, port=args.port, workers=workers,
                log_level=args.log_level, **proxy_options(settings))
    return 0


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn believes X-Forwarded-* only from the listed proxies. Not loopback by default: a process on
    the same host (or a proxy that passes the header through) would otherwise choose the address that
    sign-in throttling counts, and rotate it at will."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.trusted_proxies)}


def _migrate(_args: argparse.Namespace) -> int:
    from server.migrate import upgrade  # loaded by this command only

    upgrade(get_settings())
    print("Đã cập nhật cấu trúc cơ sở dữ liệu.")
    return 0


def _demo(_args: argparse.Namespace) -> int:
    from server.demo.seed import seed_if_empty  # loaded by this command only
    from server.migrate import upgrade  # loaded by this command only

    settings = get_settings()
    upgrade(settings)
    created = seed_if_empty(settings)
    print("Đã tạo dữ liệu mẫu." if created else "Cơ sở dữ liệu đã có dữ liệu: không tạo dữ liệu mẫu.")
    return 0


def _generate(args: argparse.Namespace) -> int:


    from server.generate.province.base import GenerateError, Options  # loaded by this command only
    from server.generate.province.run import run  # loaded by this command only
    from server.migrate import upgrade  # loaded by this command only

    settings = get_settings()
    upgrade(settings)
    options = Options(members=args.members, cells=args.cells, documents=args.documents, months=args.months,
                      seed=args.seed, password=args.password, until=date.fromisoformat(args.until),
                      force=args.force)
    try:
        summary = run(settings, options)
    except GenerateError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    counts = summary.counts
    print(f"Đã tạo dữ liệu thử: {counts['organization']:,} tổ chức ({options.cells:,} chi bộ), "
          f"{counts['member']:,} đảng viên, {counts['document']:,} văn bản, "
          f"{counts['meeting']:,} buổi sinh hoạt, "
          f"{counts['attendance']:,} lượt điểm danh, {counts['document_read']:,} lượt đọc "
          f"trong {sum(t for _, t in summary.phases):.1f} giây.")
    print(f"Mật khẩu của mọi tài khoản: {summary.password}")
    for who, username, where in summary.samples:
        print(f"  {who:<15} {username:<16} {where}")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from server.db import Database  # loaded by this command only
    from server.members.bootstrap import create_admin  # loaded by this command only
    from server.migrate import upgrade  # loaded by this command only

    settings: Settings = get_settings()
    upgrade(settings)
    password = args.password or getpass.getpass("Mật khẩu: ")
    db = Database(settings)
    try:
        with db.transaction() as session:
            user = create_admin(session, args.username, password)
    finally:
        db.dispose()
    print(f"Đã tạo tài khoản quản trị {user.username}.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from server.backup import BackupError, backup  # loaded by this command only

    try:
        summary = backup(get_settings(), args.directory)
    except BackupError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    rows = sum(summary.tables.values())
    print(f"Đã sao lưu {rows} bản ghi ({summary.engine}) và {summary.files} tệp "
          f"({summary.bytes / 1024 / 1024:.1f} MB) vào {args.directory}.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from server.backup import BackupError, restore  # loaded by this command only

    try:
        summary = restore(get_settings(), args.directory, force=args.force)
    except BackupError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    rows = sum(summary.tables.values())
    print(f"Đã khôi phục {rows} bản ghi và {summary.files} tệp từ {args.directory}.")
    return 0


def _copy_db(args: argparse.Namespace) -> int:
    from server.copydb import CopyError, copy_database  # loaded by this command only

    try:
        report = copy_database(get_settings(), args.to, files_to_database=args.files_to_database)
    except CopyError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    rows = sum(report.tables.values())
    print(f"Đã sao chép {rows} bản ghi trong {len(report.tables)} bảng; số dòng và mã kiểm tra khớp.")
    if args.files_to_database:
        print(f"Đã chuyển {report.files} tệp ({report.file_bytes / 1024 / 1024:.1f} MB) vào cơ sở dữ liệu: "
              "đặt SOTAY_FILE_STORE=database.")
    print("Tiếp theo: dừng máy chủ cũ, đặt SOTAY_DATABASE_URL tới cơ sở dữ liệu mới, giữ nguyên secret_key.")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m server", description="Máy chủ Sổ tay đảng viên")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="chạy máy chủ API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--demo", action="store_true",
                       help="tạo dữ liệu mẫu nếu CSDL trống và bật chế độ trình diễn")
    serve.add_argument("--workers", type=int, default=0,
                       help="số tiến trình phục vụ (mặc định: số lõi CPU); việc nền chạy ở một tiến trình")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="cập nhật cấu trúc CSDL").set_defaults(func=_migrate)
    sub.add_parser("demo", help="tạo dữ liệu mẫu vào CSDL trống").set_defaults(func=_demo)
    gen = sub.add_parser("generate", help="tạo dữ liệu thử cỡ một tỉnh vào CSDL trống (đo hiệu năng)")
    gen.add_argument("--members", type=int, default=250_000, help="số đảng viên (mặc định 250000)")
    gen.add_argument("--cells", type=int, default=10_000, help="số chi bộ (mặc định 10000)")
    gen.add_argument("--documents", type=int, default=50_000, help="số văn bản (mặc định 50000)")
    gen.add_argument("--months", type=int, default=12, help="số tháng sinh hoạt đã qua (mặc định 12)")
    gen.add_argument("--seed", type=int, default=1, help="cùng tham số, cùng dữ liệu")
    gen.add_argument("--until", default="2026-12-01", help="ngày mốc YYYY-MM-DD (không dùng ngày hôm nay)")
    gen.add_argument("--password", default="tinh-thu-2026", help="mật khẩu chung của mọi tài khoản")
    gen.add_argument("--force", action="store_true", help="xóa toàn bộ dữ liệu hiện có rồi tạo lại")
    gen.set_defaults(func=_generate)
    admin = sub.add_parser("create-admin", help="tạo tài khoản quản trị hệ thống")
    admin.add_argument("username")
    admin.add_argument("--password")
    admin.set_defaults(func=_create_admin)
    bak = sub.add_parser("backup", help="sao lưu CSDL rồi tệp đính kèm (máy chủ vẫn chạy)")
    bak.add_argument("directory", type=Path)
    bak.set_defaults(func=_backup)
    res = sub.add_parser("restore", help="khôi phục từ một bản sao lưu (dừng máy chủ trước)")
    res.add_argument("directory", type=Path)
    res.add_argument("--force", action="store_true", help="ghi đè CSDL đang có")
    res.set_defaults(func=_restore)
    copy = sub.add_parser("copy-db", help="sao chép cài đặt SQLite sang PostgreSQL (có kiểm tra)")
    copy.add_argument("--to", required=True, help="postgresql+psycopg://... (một CSDL trống)")
    copy.add_argument("--files-to-database", action="store_true",
                      help="chuyển cả tệp đính kèm vào CSDL (cài đặt nhiều máy chủ)")
    copy.set_defaults(func=_copy_db)
    args = parser.parse_args(argv)
    from server.errors import DomainError  # fastapi and sqlalchemy (~1 s): not for --help or a wrong command

    try:
        return int(args.func(args))
    except DomainError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
