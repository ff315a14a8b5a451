"""Execution backends: how stage functions are mapped over documents and pairs. No algorithm code here."""
