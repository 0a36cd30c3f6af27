"""The first thing the dashboard does for a new session, before its own imports: have the
browser fetch and compile Streamlit's plotly chunk (4.7 MB, the code behind every chart)
while the server imports pandas and reads the warehouse, instead of when the first chart
arrives. Only streamlit is imported here, so it runs within milliseconds of a connection."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

KEY_CHARTS_PRELOADED = "_charts_preloaded"


@functools.cache
def _plotly_chunk() -> str | None:
    """The file name of Streamlit's own plotly chunk (named by its hash, so looked up)."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


def preload_charts() -> None:
    """Once per session. The import is of the very file a chart imports (the same address, so
    the browser keeps one copy), from this server: nothing is fetched from outside."""
    chunk = _plotly_chunk()
    if chunk is None or st.session_state.get(KEY_CHARTS_PRELOADED):
        return
    st.session_state[KEY_CHARTS_PRELOADED] = True
    script = (
        "<script>(() => { const main = document.querySelector('script[src*=\"static/js/index\"]');"
        f" if (main) import(new URL('{chunk}', main.src).href).catch(() => {{}}); }})();</script>"
    )
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)
