"""One mechanism per module: pure functions over arrays and an explicit numpy Generator."""
