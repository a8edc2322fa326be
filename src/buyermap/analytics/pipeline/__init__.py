"""Pipeline analytics: stage statistics, a bookings forecast with intervals, backtests.

Modules: ``history`` (read and normalise a stage history), ``workspace`` (the same from the
database), ``paths`` (stays and deal states as arrays), ``survival`` (Kaplan-Meier and the
competing-risks hazards), ``stats``, ``forecast``, ``montecarlo``, ``newdeals``,
``backtest`` and ``synth`` (pipelines with a known answer). See docs/pipeline.md.
"""
