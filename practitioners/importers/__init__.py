"""Parsing shared by the bulk imports: streaming CSV (`csvfile`), field tidying (`fields`)
and the NPPES registry file (`nppes`). The state board roster parser is `verification.roster`.

Pure functions and small classes: no ORM in here. The management commands feed
rows from `csvfile.StreamingCsv` through these parsers and hand the results to
the services (`practitioners.services`, `verification.services`), which do every write.
"""
