"""Analyses. Each one is a frozen Query (data), a runner, and a typed Result that records
the hash of its inputs and settings and the buyermap version, so it can be reproduced."""
