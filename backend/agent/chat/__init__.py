"""The agent's chat console: a built-in intent parser (default) or an optional LLM, on the same tools."""
