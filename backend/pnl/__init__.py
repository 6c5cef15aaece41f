"""P&L over time: snapshots of each client's account values and the history endpoint."""
