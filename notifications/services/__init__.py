"""Mail to customers: ``compose`` writes and queues it, ``delivery`` sends it.
Mail from customers: ``inbound`` stores, classifies and threads it,
``ticket_mail`` is what it does to a ticket, ``mailbox`` what agents do with
what waits in the mailbox."""
