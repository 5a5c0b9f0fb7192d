"""Plain-Python rules and value objects: no Qt, no peewee, no I/O."""
