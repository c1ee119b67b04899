"""The Lark grammar of the Accord policy language (package data)."""
