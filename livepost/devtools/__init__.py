"""Throwaway servers for tests, benchmarks and trying livepost without an account."""
