"""Persistence: SQLAlchemy tables, plain store functions, Alembic migrations shipped inside."""
