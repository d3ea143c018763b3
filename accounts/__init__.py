"""People and roles: Ministry staff, region coordinators, lecturers, residents; who may do what."""
