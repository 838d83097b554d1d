"""SQL text, one module per dialect."""
