"""法治看板 ETL: departments' workbooks → validated facts → the DuckDB warehouse.

Nothing in this package imports Streamlit; the dashboard and the command line both
call into it.
"""
