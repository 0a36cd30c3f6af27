"""One workbook, read and checked without touching the warehouse.

opening.py   what the bytes are (by content) and their sheets as grids of values
personal.py  cells that hold personal identifiers (the file is refused)
period.py    the reporting year a sheet states, and the file name's
layout.py    which catalog table a sheet is, found from its header
sheets.py    the numbers of a recognised sheet, each with its cell
rules.py     the catalog's sum and ≤ rules on each row
prepare.py   all of the above for one file: a PreparedFile, loaded or refused
sandbox.py   runs prepare in worker processes (worker.py) capped in memory and time
"""
