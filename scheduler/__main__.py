"""Entry point of ``atbt`` and ``python -m scheduler``: signals first, then the heavy imports.

A Ctrl-C while OR-Tools and pydantic load (a second or two) would otherwise print a traceback.
"""

from __future__ import annotations

from scheduler import halt


def main() -> None:
    halt.install()
    try:
        from scheduler.cli import main as cli_main
    except KeyboardInterrupt:  # only if a handler was replaced during the imports
        raise SystemExit(130) from None
    cli_main()


if __name__ == "__main__":
    main()
