"""The commands of `millions`, one module per group, and the output they share (output.py).

game/cli.py defines the options and imports a command's module only when it runs; a command
module never imports game.cli.
"""
