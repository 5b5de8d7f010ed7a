"""`python -m game` runs the same command as `millions`."""

from game.cli import main

raise SystemExit(main())
