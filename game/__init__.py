"""Zero to Millions: a terminal game about scaling web systems."""
