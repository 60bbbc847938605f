"""Sign-in, sessions, roles, API tokens and CSRF."""
