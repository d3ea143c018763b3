"""The Online Public Lecture Hall: lecturers, series, sessions and the live room."""
