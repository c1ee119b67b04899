"""Built-in programme plugins, loaded through the `accord.programmes` entry-point group."""
