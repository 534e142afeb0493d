"""silkhub: Belt and Road participation analytics and cooperation hub."""

__version__ = "0.1.0"
