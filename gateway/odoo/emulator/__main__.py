"""`python -m gateway.odoo.emulator`: run the Odoo emulator in the foreground."""

from __future__ import annotations

import argparse
import time

from gateway.odoo.emulator import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Odoo JSON-RPC emulator (SQLite-backed)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--db-path", default="var/odoo-emulator.sqlite3")
    parser.add_argument("--db-name", default="edigw")
    parser.add_argument("--version", default="18.0", choices=["16.0", "17.0", "18.0"])
    parser.add_argument("--seed", default="demo", choices=["bare", "demo"])
    args = parser.parse_args()
    handle = serve(
        args.host,
        args.port,
        args.db_path,
        db_name=args.db_name,
        version=args.version,
        seed=args.seed,
    )
    print(f"Odoo {args.version} emulator on {handle.url} (db {args.db_name!r}, {args.db_path})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
