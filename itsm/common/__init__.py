"""Helpers every app may use: they import no app and nothing else of itsm."""
