"""法治看板 ETL, the write side: departments' workbooks → checked facts → the DuckDB warehouse.

The pipeline, in the order of its sub-packages:

    reference/  what the town and its departments are: indicator catalog, places,
                how values are spelled, the problem codes a clerk is told
    workbook/   one workbook at a time, in a sandboxed worker process: open it safely,
                recognise its sheets, read and check every number with its cell
    loading/    whole files into the warehouse in one transaction per batch, the kept
                originals, and rebuild / backup / restore
    authoring/  workbooks the system writes: blank templates and the demo samples

`cli.py` is the command line over all of it; `settings.py` says where things live.
Nothing here imports Streamlit; the read side (queries, protection, downloads) is the
`figures` package beside this one.
"""
