"""Loading and keeping: prepared files into the DuckDB warehouse, and what is kept beside it.

loader.py       batches of files, read ahead by the workers, each batch one commit
warehouse.py    the warehouse file: schema, copy-and-swap writing, the load transaction,
                the audit trail, freeze and roll back (SQL text in sql/)
originals.py    the loaded workbooks kept by content, and their manifest
maintenance.py  rebuild from the originals, backup, restore
"""
