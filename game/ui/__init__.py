"""The Textual interface: the app, its screens and widgets, and the settings that drive them."""
