"""Writes with side effects, one module per family (``ticket_create``,
``ticket_update``, ``escalation``, ``relations``, ``journal``, ``autoclose``,
``saved_views``); ``rules`` holds the checks they share.

Every service is keyword-only, named ``<entity>_<verb>``, runs in a
transaction and takes the user it acts for. Reads live in ``itsm.selectors``.
"""
