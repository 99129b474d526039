"""The pure domain core: dataclasses and functions, no Flask and no SQLAlchemy."""
