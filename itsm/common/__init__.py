"""What every app may use: text normalisation, search structures, roles and
access checks, form and pagination helpers. The bottom of the project: it
imports Django and nothing of ``itsm`` or of any app (the import contracts in
``.importlinter`` check it)."""
