"""Buyer-journey analyses: the content and answer gaps of the persona x stage matrix."""
