"""Monitoring: the indicators of a scope, the dashboard, the daily alerts and the reports."""
