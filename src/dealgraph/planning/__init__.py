"""Planning from the end: reverse funnel and goal tree, win-probability model, forecast, simulation.

Pure like ``core`` and ``analytics``: plain data in (DealRecords, playbooks, numbers), plain
results out; the services read the workspace and call these.
"""
