"""Benchmarks, each against a named peer, printing its figures."""
