"""The agent: strategies that find trades, the runtime that proposes them, the chat console."""
