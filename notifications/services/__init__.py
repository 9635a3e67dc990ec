"""Mail to customers: ``compose`` writes and queues it, ``delivery`` sends it."""
