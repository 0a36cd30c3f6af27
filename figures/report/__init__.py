"""The annual report and the 要点 of the topic pages, written from the warehouse by the
wording in data/report.toml (no Streamlit here):

    template.py  the template file read and checked: outline, passages, 要点, derived figures
    facts.py     the figures a sentence may name, with their source cells, gaps and protection
    wording.py   sentences from figures: placeholders, variants, numerals, 同比 clauses
    draft.py     the report's draft and a page's 要点
    word.py      the draft as a .docx in 公文 format (GB/T 9704-2012), a comment per figure
"""
