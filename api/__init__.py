"""OneBell's HTTP API: sites, daily counts and plans for courier teams (FastAPI)."""
