"""Persistence: SQLAlchemy 2 typed models, the database handle, queries and Alembic migrations."""
