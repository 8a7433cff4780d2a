"""Parsing for the two bulk imports (NPPES registry file, state board rosters).

Pure functions and small classes: no ORM in here. The management commands feed
rows from `csvfile.StreamingCsv` through these parsers and hand the results to
`practitioners.services`, which does every write.
"""
