"""Pure domain: dataclasses, enums, workflow rules, the business calendar and clocks.

Nothing here imports SQLAlchemy, Alembic or Textual (enforced by import-linter).
"""
