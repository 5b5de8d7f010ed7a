"""A widget drawn from one rich Text, made once per change and cut into cached lines.

Textual turns a widget's rendered Text into its lines again on every refresh; a panel with many
coloured cells (the tiers' charts, the latency shapes) pays that on each tick. Here the Text is
made only when the widget says its picture changed (`changed`) or its width did, and each line
is kept as a Strip until then.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class TextLines(Widget):
    """Subclasses draw in `picture(width)` and call `changed()` when what they show changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._version = 0
        self._drawn: tuple[int, int] | None = None  # (version, width) of the strips kept
        self._strips: list[Strip] = []

    def picture(self, width: int) -> Text:
        raise NotImplementedError

    def text(self) -> Text:
        """What the widget shows at its width now (for tests)."""
        return self.picture(self.content_size.width)

    def changed(self, layout: bool = False) -> None:
        self._version += 1
        self.refresh(layout=layout)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        if self._drawn != (self._version, width):
            console = self.app.console
            lines = self.picture(width).split("\n", allow_blank=True)
            self._strips = [
                Strip(list(line.render(console))).apply_style(base).adjust_cell_length(width, base)
                for line in lines
            ]
            self._drawn = (self._version, width)
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn = None  # the theme's colours may have changed
