"""A visible "Copy link" button for every page and scene: it copies the address that restores the view."""

from __future__ import annotations

import html
import json

import streamlit as st

# One click handler for every copy button on the page, installed once per browser tab; the button's target is
# read at click time, so it copies the address bar as it is then (every bound widget has reached it by then).
_SCRIPT = """
<script>
(() => {
  if (window.__copyLinkInstalled) return;
  window.__copyLinkInstalled = true;
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement("textarea");
      area.value = text; area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      const ok = document.execCommand("copy"); area.remove(); return ok;
    }
  };
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy-link]");
    if (!button) return;
    const target = JSON.parse(button.dataset.copyLink);
    const link = target ? new URL(target, window.location.href).href : window.location.href;
    const ok = await copy(link);
    const done = button.querySelector(".copy-link-done");
    if (done) { done.textContent = ok ? " ✓ copied" : " (copy failed)"; setTimeout(() => done.textContent = "", 2500); }
  });
})();
</script>
"""
_ICON = ('<svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3.9 12a3.1 '
         '3.1 0 0 1 3.1-3.1h4V7H7a5 5 0 0 0 0 10h4v-1.9H7A3.1 3.1 0 0 1 3.9 12M8 13h8v-2H8zm9-6h-4v1.9h4a3.1 3.1 0 0 1 0 '
         '6.2h-4V17h4a5 5 0 0 0 0-10"/></svg>')
_STYLE = (
    "display:inline-flex;align-items:center;gap:.4em;padding:.45em .9em;border-radius:.5rem;min-height:2.5rem;cursor:pointer;"
    "border:1px solid rgba(49,51,63,.25);background:#fff;color:inherit;font:inherit;font-size:1rem;"
)


def copy_link_button(url: str | None = None, label: str = "Copy link", help: str | None = None) -> None:
    """A button that puts ``url`` (default: the address bar, which holds every setting of the view) on the clipboard."""
    target = html.escape(json.dumps(url), quote=True)
    title = html.escape(help or "Copy a link that restores exactly this view", quote=True)
    st.html(
        f'<button type="button" class="copy-link" data-copy-link="{target}" title="{title}" style="{_STYLE}">'
        f'{_ICON} {html.escape(label)}<span class="copy-link-done"></span></button>{_SCRIPT}',
        unsafe_allow_javascript=True,
    )
