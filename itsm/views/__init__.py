"""The pages, one module per area: ``tickets`` (new ticket and ticket page),
``ticket_actions`` (quick actions, *Agregar*, files, relations),
``consoles``, ``coordination`` and ``search``. Views are functions with
their access decorators on the ``def``; writes accept POST only and
redirect. Views of a kind's pages take the ``Kind`` from their URL pattern
(see ``itsm.core_urls``)."""
