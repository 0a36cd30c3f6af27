"""What the dashboard does first in a session, before its own imports (only streamlit is
imported here, so it runs within milliseconds of a connection): leave Streamlit's old pages/
mode, and have the browser fetch and compile Streamlit's plotly chunk (4.7 MB, the code
behind every chart) while the server imports pandas and reads the warehouse, instead of
when the first chart arrives."""

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
    # When the browser is idle (the server is still working): never ahead of drawing what has
    # already arrived, so the first cards and filters are not kept waiting.
    script = (
        "<script>(() => { const main = document.querySelector('script[src*=\"static/js/index\"]');"
        f" const load = () => import(new URL('{chunk}', main.src).href).catch(() => {{}});"
        " if (main) (window.requestIdleCallback || setTimeout)(load); })();</script>"
    )
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)


def leave_pages_directory_mode() -> None:
    """Streamlit treats a folder named pages/ as old-style pages until a session has called
    st.navigation; a first request in that mode lists every file of pages/ in the sidebar,
    in English, if anything fails before our navigation is drawn. Switch it off and rerun."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
