"""A message the player must see before going on (about their saves, say), with one button."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class NoticeScreen(ModalScreen[None]):
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
