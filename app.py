"""How to Train Your Neurons: the entry point. Streamlit navigation over pages/, sectioned like the lecture."""

import streamlit as st

from core.memory import keep_freed_memory
from ui.navigation import existing_pages

keep_freed_memory()  # the NumPy engine reuses freed memory instead of re-faulting it on every pass

st.set_page_config(page_title="How to Train Your Neurons", page_icon="🧠", layout="wide")

sections: dict[str, list[st.Page]] = {}
for info in existing_pages():
    page = st.Page(info.file, title=info.title, icon=info.icon, url_path=info.url_path or None, default=not info.url_path)
    sections.setdefault(info.section, []).append(page)

st.navigation(sections).run()
