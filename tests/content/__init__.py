"""Tests of game.content: level and plan files."""
