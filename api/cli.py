"""`onebell` with the server commands: serve, db upgrade and backup, token create. The planning commands come
from optimizer.cli, which knows nothing of the API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.auth import ROLES, hash_token, new_token
from api.backup import backup
from api.config import get_settings
from api.db.models import TokenRow
from api.db.session import make_engine, make_sessions, upgrade
from optimizer import cli as core


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = core.make_parser()
    serve = commands.add_parser("serve", help="run the HTTP API (OpenAPI at /docs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)
    db = commands.add_parser("db", help="database schema, and a backup of the embedded SQLite file")
    db.add_argument("action", choices=["upgrade", "backup"])
    db.add_argument("out", nargs="?", help="backup: the file to write (it must not exist yet)")
    db.set_defaults(run=_db)
    token = commands.add_parser("token", help="API tokens")
    token.add_argument("action", choices=["create"])
    scope = token.add_mutually_exclusive_group(required=True)
    scope.add_argument("--site", help="a site's token (with --role)")
    scope.add_argument("--district", help="a district office's token: every site the admin puts in it")
    token.add_argument(
        "--role",
        choices=ROLES,
        help="for a site's token; a district's is the office's unless --role viewer (sees, changes nothing)",
    )
    token.add_argument("--label", default="")
    token.set_defaults(run=_token)
    return core.run(parser, argv)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.main import create_app

    # Migrated here first (the app's start does it again, a no-op) so that a database that cannot be
    # opened is one line on the terminal, not a traceback from inside the server's start.
    upgrade(get_settings().resolved_database_url)
    uvicorn.run(create_app(), host=args.host, port=args.port)
    return 0


def _db(args: argparse.Namespace) -> int:
    url = get_settings().resolved_database_url
    if args.action == "backup":
        if not args.out:
            print(
                "onebell db backup: give the file to write, e.g. onebell db backup onebell-2022-04-28.sqlite3",
                file=sys.stderr,
            )
            return 2
        saved = backup(url, args.out)
        print(
            f"backed up {saved.sites} compounds, {saved.count_days} days of counts and {saved.plans} plans to "
            f"{saved.path} ({saved.bytes / 1e6:.1f} MB)"
        )
        return 0
    upgrade(url)
    print(f"database at {url.split('@')[-1]} is up to date")
    return 0


def _token(args: argparse.Namespace) -> int:
    if args.site is not None and args.role is None:
        print("onebell token create: --site needs --role (coordinator, courier or viewer)", file=sys.stderr)
        return 2
    if args.district is not None and args.role not in (None, "viewer"):
        print(
            "onebell token create: a --district token is the office's (no --role) or a viewer's (--role viewer)",
            file=sys.stderr,
        )
        return 2
    url = get_settings().resolved_database_url
    upgrade(url)
    sessions = make_sessions(make_engine(url))
    token = new_token()
    role = args.role or "district"
    with sessions() as session:
        session.add(
            TokenRow(
                site_id=args.site,
                district=args.district,
                role=role,
                label=args.label,
                token_hash=hash_token(token),
            )
        )
        session.commit()
    print(token)
    scope = f"site {args.site}" if args.site is not None else f"district {args.district}"
    print(f"{role} token for {scope}: shown once, store it now", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
