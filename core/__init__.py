"""The lifecycle core: portfolio model, pack loader, plugin manager facade and run engine."""
