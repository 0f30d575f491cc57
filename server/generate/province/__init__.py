"""The province generator: organisation tree, members with accounts and roles, documents with their readers,
months of meetings with attendance, the member's year (commitments, a study check, self-reviews), written
with bulk INSERTs in chunks (never one ORM object per row).

Everything derives from the options: one random.Random per phase seeded from --seed, every date from
--until (never the clock). The same arguments give the same database, but for the password hash (salted).

No sync change log is written: a device's first sync reads the tables themselves (a snapshot, see
server/sync/service.py), and the cursor it ends with starts at the counter's current version, so an
up-to-date poll has nothing to fetch. Only --force, which empties a database devices may have synced
with, moves the sync horizon past every older cursor so that they start again from a snapshot.

The steps, in the order a run takes them: `tree.py` (the organisation tree), `people.py` (members,
accounts, roles), `documents.py` (documents, files, readers, comments), `meetings.py` (meetings, attendance),
`year.py` (commitments, the study check with attempts and bài thu hoạch, self-reviews),
`generator.py` (notifications and the summary; the one class that runs them), `run.py` (the command's entry,
--force, the transaction). `base.py` holds the options and the shapes every step shares, `writer.py` the
bulk INSERT.
"""
