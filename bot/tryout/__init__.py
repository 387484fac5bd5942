"""`salesbot try`: the real bot against the bundled Bot API emulator, a throw-away SQLite database with
a seeded team, and a small web chat on 127.0.0.1 to play its people. No token, no network."""
