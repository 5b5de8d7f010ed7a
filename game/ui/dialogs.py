"""Dialogs that answer the screen that asks: a notice to read, a yes/no question, a name.

    NoticeScreen(title, message)      one button; answers nothing
    ConfirmScreen(verb, question)     answers True or False
    PauseMenu(title, where)           answers "resume", "restart" or "leave"
    NamePrompt(title, value)          answers the name typed, or None if cancelled

The screen that asks pushes one with a callback for the answer. Every text is shown literally.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from game.store.schema import MAX_NAME


class NoticeScreen(ModalScreen[None]):
    """A message the player must see before going on (about their saves, say)."""

    DEFAULT_CSS = """
    NoticeScreen { align: center middle; }
    #notice { width: 72; max-width: 95%; height: auto; padding: 1 2;
              border: thick $warning; background: $surface; }
    #notice-title { text-style: bold; margin-bottom: 1; }
    #notice-ok { margin-top: 1; }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "OK")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(Text(self.title_text), id="notice-title")
            yield Static(Text(self.message), id="notice-text")  # paths and reasons, literally
            yield Button("OK", id="notice-ok", variant="primary", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question before something that cannot be undone."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm { width: 60; max-width: 95%; height: auto; padding: 1 2;
               border: thick $error; background: $surface; }
    #confirm-buttons { height: auto; margin-top: 1; }
    #confirm-buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(self, verb: str, question: str) -> None:
        super().__init__()
        self.verb, self.question = verb, question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Text(self.question))
            with Horizontal(id="confirm-buttons"):
                yield Button(self.verb, id="confirm-yes", variant="error", compact=True)
                yield Button("Keep it", id="confirm-no", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PauseMenu(ModalScreen[str]):
    """The play screen's question when the player backs out of a level: resume, restart it, or
    leave it (kept for Continue)."""

    DEFAULT_CSS = """
    PauseMenu { align: center middle; }
    #pause { width: 46; max-width: 95%; height: auto; padding: 1 2;
             border: thick $primary; background: $surface; }
    #pause-title { text-style: bold; }
    #pause-buttons { height: auto; margin-top: 1; }
    #pause-buttons Button { width: 100%; margin-bottom: 0; }
    #pause-note { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,space", "answer('resume')", "Resume"),
        Binding("n", "answer('restart')", "Restart"),
        Binding("q", "answer('leave')", "Leave level"),
        Binding("up", "app.focus_previous", "Previous choice", show=False),
        Binding("down", "app.focus_next", "Next choice", show=False),
    ]
    ANSWERS = {"pause-resume": "resume", "pause-restart": "restart", "pause-leave": "leave"}

    def __init__(self, title: str, where: str) -> None:
        super().__init__()
        self.title_text, self.where = title, where

    def compose(self) -> ComposeResult:
        with Vertical(id="pause"):
            yield Static(Text(f"Paused: {self.title_text}"), id="pause-title")
            yield Static(Text(self.where), id="pause-where")
            with Vertical(id="pause-buttons"):
                yield Button("Resume  (esc)", id="pause-resume", variant="primary", compact=True)
                yield Button("Restart the level  (n)", id="pause-restart", compact=True)
                yield Button("Leave level  (q)", id="pause-leave", compact=True)
            yield Static("Leaving keeps the run: Continue on the title screen.", id="pause-note")

    def on_mount(self) -> None:
        self.query_one("#pause-resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.ANSWERS[event.button.id or "pause-resume"])

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


NAME = re.compile(r"^[a-z0-9-]+$")  # the rule for ids in pack files, so a solution exports as is


def name_problem(name: str) -> str:
    """Why a name cannot be used, or '' if it can."""
    if not name:
        return "A name cannot be empty."
    if len(name) > MAX_NAME:
        return f"At most {MAX_NAME} characters."
    if not NAME.match(name):
        return "Use lowercase letters, digits and dashes, e.g. cheap-and-fast."
    return ""


class NamePrompt(ModalScreen[str | None]):
    """Ask for a name (of a solution)."""

    DEFAULT_CSS = """
    NamePrompt { align: center middle; }
    #prompt { width: 60; max-width: 95%; height: auto; padding: 1 2;
              border: thick $primary; background: $surface; }
    #prompt-problem { color: $error; height: auto; }
    #prompt-buttons { height: auto; margin-top: 1; }
    #prompt-buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self.title_text, self.value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.title_text, style="bold"))
            yield Input(self.value, id="prompt-name", max_length=MAX_NAME)
            yield Static(id="prompt-problem")
            with Horizontal(id="prompt-buttons"):
                yield Button("Save", id="prompt-save", variant="primary", compact=True)
                yield Button("Cancel", id="prompt-cancel", compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "prompt-save":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        name = self.query_one(Input).value.strip()
        problem = name_problem(name)
        if problem:
            self.query_one("#prompt-problem", Static).update(Text(problem))
            return
        self.dismiss(name)
