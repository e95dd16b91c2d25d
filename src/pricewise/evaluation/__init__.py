"""Metrics, the benchmark protocol (../shared/docs/BENCHMARK.md), the leaderboard and charts."""
