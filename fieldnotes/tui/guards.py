"""How the app's keys keep work safe; every screen declares its own in `GUARDED`.

The rules, which tests/test_keys.py checks for every screen's bindings:

- A single key that removes or overwrites work asks first (a dialog where Esc is no), or is Delete.
- Removing or changing another coder's coding always asks.
- No screen binds a key of the whole app (d, b, x, /, o, …) to anything else, so a key means the same
  on every screen.

A screen's `GUARDED` maps each action that removes or overwrites work to how it is guarded.
"""

from __future__ import annotations

#: opens a dialog first (a yes/no question, or a field to type into) in which Esc changes nothing
ASKS = "asks first"
#: bound to the Delete key only; it acts at once on the user's own work (the status line says what was
#: removed and that u undoes it) and asks first when the work is another coder's
DELETE_KEY = "Delete key"
#: changes the user's own coding at once (a word at a time, undoable), and asks before it changes
#: another coder's
ASKS_FOR_OTHERS = "asks for another coder's"
#: settling disagreements, the purpose of that screen: acts at once and says that u undoes it
SETTLES = "settles"

GUARDS = (ASKS, DELETE_KEY, ASKS_FOR_OTHERS, SETTLES)
