"""How to Train Your Neurons: the entry point. Streamlit navigation over app_pages/, sectioned like the lecture.

The page scripts live in app_pages/, not pages/: Streamlit still treats a folder named pages/ beside the entry
point as a legacy multipage app until some session has run st.navigation, so a shared link opened first after
a restart would run its page without this frame (no wide layout, a bare file list as the sidebar).
"""

import streamlit as st

from core.memory import freeze_after_imports, keep_freed_memory
from ui.navigation import existing_pages
from ui.serial_parse import serialize_ast_parse
from ui.urlstate import begin_run, forget_code_writes, unknown_link_notice
from ui.widgets import lazy_widget_state, remember_arg_names

serialize_ast_parse()  # sessions compile page scripts while another session (or the lecture warm-up) imports PyTorch
lazy_widget_state()  # select boxes, radios, number inputs read their own key's state, not every key's (ui/widgets.py)
remember_arg_names()  # a cached call names its arguments without building the function's signature each time

keep_freed_memory()  # the NumPy engine reuses freed memory instead of re-faulting it on every pass

st.set_page_config(page_title="How to Train Your Neurons", page_icon="🧠", layout="wide")
# Streamlit's 6rem of padding above every page pushes the first figure below a 720 px projector's first screen.
st.html('<style>[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }</style>')

sections: dict[str, list[st.Page]] = {}
for info in existing_pages():
    page = st.Page(info.file, title=info.title, icon=info.icon, url_path=info.url_path or None, default=not info.url_path)
    sections.setdefault(info.section, []).append(page)

current = st.navigation(sections)
notice_slot = st.empty()  # the page's first element: a link's unknown keys are named here once the page has run
begin_run()
current.run()
unknown_link_notice(notice_slot)
forget_code_writes()  # values that callbacks wrote have reached their widgets (ui/urlstate.py)
freeze_after_imports()  # a page's first run imported its libraries: keep them out of every later gc pass
