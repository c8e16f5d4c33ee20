"""``python -m flask_demo_app [--host H] [--port P]``: serve Dashboard Pimpinan."""

from __future__ import annotations

import argparse
import sys

from satulogin_oidc.errors import ConfigurationError

from satulogin.errors import SatuLoginError

from . import DEFAULT_HOST, DEFAULT_PORT, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flask_demo_app",
                                     description="Dashboard Pimpinan (Banten Satu Login demo app)")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        run(args.host, args.port)
    except ConfigurationError as exc:   # the adapter's config check: every problem listed
        print(f"galat / error: {exc}", file=sys.stderr)
        return 2
    except SatuLoginError as exc:
        print(f"galat / error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
