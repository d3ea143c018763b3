"""The statistics table (the notice's attachment): computed from what happened, reviewed,
submitted, exported."""
