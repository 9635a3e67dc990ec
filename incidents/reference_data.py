"""Incidents' own reference rows, in ``reference_data.json``: the reasons of
their resolved status and their campaign templates."""

from itsm.reference_data import kind_file_loader

load = kind_file_loader(__file__)
