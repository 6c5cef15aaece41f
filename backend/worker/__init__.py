"""Workers: client leases, the runner that holds them, and the command channel API processes use."""
