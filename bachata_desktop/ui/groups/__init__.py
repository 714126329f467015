"""The Classes area: groups and students, sessions, progress per move, what to teach next."""
