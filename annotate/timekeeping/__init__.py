"""Time and pay: server-measured active time, authenticity signals and flags, timesheets.

- ``heartbeats``: the task, instructions, review and adjudication pages (and API clients)
  send heartbeats while someone works; the server turns them into ``ActivityInterval`` rows,
  closing an interval after the idle gap. It trusts no duration a client sends.
- ``signals`` and ``flags``: how an answer's text was entered (typed, pasted, dropped) and
  the flags raised on a judgment (too fast, mostly pasted, submitted without interaction).
  Flags inform people; they never reject work.
- ``judging``: what a submit records (the judgment's active time, signals and flags).
- ``rates``, ``periods``, ``timesheets``, ``approval``, ``payroll``: hourly rates over time,
  UTC days and periods, hours and pay per person and day, locked periods and adjustments,
  and the CSV for payroll.

Nothing here locks the assignment queue: a heartbeat locks only its person's clock row.
"""
