"""The dashboard's Streamlit side shared by the pages in pages/:

start.py       what a session does first: leave old pages/ mode, have the browser fetch the chart code
connection.py  the warehouse connection and cached reads of figures.queries
login.py       who is looking: login, roles checked on each page
filters.py     the sidebar filters, kept in the URL
frame.py       the page frame: CSS, status line, title, and errors shown in Chinese
widgets.py     KPI cards, tables and charts with their downloads
"""
