"""Settings modules: `base` (embedded or service URLs from the environment), `production`."""
