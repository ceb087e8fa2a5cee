"""``python -m scheduler.cli``: the ``atbt`` command without the early signal handlers."""

from scheduler.cli import main

if __name__ == "__main__":
    main()
