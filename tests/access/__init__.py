"""The access matrix: who may make every write of the platform (issue 11, item 4)."""
