"""The read side: what pages, downloads and reports show, from the warehouse's public views.

No Streamlit and no loader here, so an API or a report generator can use it as the
dashboard does:

    queries.py     parameterised SQL over the public views, returning DataFrames
    protection.py  small-count protection of sensitive village counts
    filters.py     the filters a person chose, as plain values
    kpis.py        KPI cards: the figure of a year, its change and which way is good
    tables.py      tables shaped for the screen and for downloads
    charts.py      plotly figures
    export.py      CSV and Excel bytes of a table, safe to open
    access.py      users, roles and what each may do
    report/        the annual report's draft and .docx, and each topic page's 要点
"""
