"""Benchmarks: each page's median time as a ratio to a baseline measured in the same run (`make bench`)."""
