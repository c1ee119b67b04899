"""Organisation policies shipped with Accord (package data: *.accord files)."""
