"""Security helpers shared by the HTTP interfaces (API and web): CSRF tokens."""
