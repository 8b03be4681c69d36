"""Data shapes shared by every stage: evidence items, periods, statuses and the policy catalogue."""
