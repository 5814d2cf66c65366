"""Style: the web chat's CSS (kept in Python so it ships with the package).

Owns: how answers, source cards, the library table and messages look. Text colours are
picked for WCAG AA (≥ 4.5:1) in light and dark mode — Gradio's "subdued" grey is 2.5:1 on
white, so secondary text uses neutral-700 (light) / neutral-300 (dark) instead.
Does not own: markup (``ui.render``).
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
/* muted text and links keep ≥ 4.5:1 even on the highlighted card's tint and bubble greys */
:root { --cqa-muted: var(--neutral-700); --cqa-ref: #1e40af; --cqa-hl: #fef3c7; }
.dark { --cqa-muted: var(--neutral-300); --cqa-ref: #93c5fd; --cqa-hl: #422006; }
#cqa-upload .or { color: var(--cqa-muted); }
#cqa-delete { background: #b91c1c; border-color: #b91c1c; }  /* white on Gradio's red-500 is 3.8:1 */
footer .show-api, footer .show-api * { color: var(--cqa-muted) !important; }  /* Gradio's grey is 1.9:1 */
/* Gradio's page bar appears once the app has the /help and /article pages; its only entry is
   "Home" (in 1.9:1 grey), above the title. Those pages carry their own "Back to the chat" link. */
.nav-holder { display: none !important; }
/* Gradio colours the selected tab's text with the accent, orange-500: 2.8:1 on white (axe failed it at
   phone width); orange-700 is 5.2:1. Dark mode keeps the accent, which passes on the dark background. */
button[role="tab"][aria-selected="true"] { color: #c2410c; }
.dark button[role="tab"][aria-selected="true"] { color: var(--color-accent); }
.cqa-header h1 { font-size: 1.6rem; margin: 0.2rem 0 0.1rem; }
.cqa-header p { margin: 0 0 0.4rem; color: var(--cqa-muted); font-size: 0.95rem; }
#cqa-chat .cqa-answer { line-height: 1.75; }
.cqa-ref { color: var(--cqa-ref); font-weight: 600; margin: 0 1px; padding: 0; border: none; background: none;
  cursor: pointer; font-size: 0.8em; vertical-align: super; line-height: 1; }
.cqa-ref:hover, .cqa-ref:focus-visible { text-decoration: underline; }
.cqa-badge { display: inline-block; font-size: 0.8em; font-style: normal; padding: 0 6px; margin-right: 4px;
  border-radius: 4px; background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.cqa-abstained { color: var(--cqa-muted); font-style: italic; }
.cqa-notice, .cqa-searched { font-size: 0.85em; margin-top: 0.3em; color: var(--cqa-muted); }
.cqa-notice a { color: var(--cqa-ref); }
.cqa-searched { margin: 0 0 0.3em; }
.cqa-footnotes { list-style: none; padding-left: 0 !important; margin: 0.5em 0 0 !important;
  font-size: 0.82em; color: var(--cqa-muted); }
.cqa-footnotes li { margin: 0 !important; }
.cqa-query { color: var(--body-text-color); }
.cqa-error { color: #991b1b; background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; padding: 6px 10px; }
.dark .cqa-error { color: #fecaca; background: #450a0a; border-color: #7f1d1d; }
.cqa-error strong, .cqa-note strong { margin-right: 0.4em; color: inherit; }
.cqa-note { border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  border-radius: 6px; padding: 6px 10px; }
details.cqa-sources { margin-top: 0.5em; }
details.cqa-sources > summary { cursor: pointer; font-size: 0.85em; color: var(--cqa-muted); }
.cqa-hint { color: var(--cqa-muted); font-size: 0.9rem; }
.cqa-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 6px 0; background: var(--background-fill-secondary); }
.cqa-card.cqa-hl { outline: 3px solid var(--cqa-ref); background: var(--cqa-hl); }
.cqa-card header { font-weight: 600; line-height: 1.5; }
.cqa-card .cqa-n { color: var(--cqa-ref); margin-right: 2px; }
.cqa-meta { font-size: 0.82rem; color: var(--cqa-muted); margin: 2px 0 6px; word-break: break-all; }
.cqa-meta a { color: var(--cqa-ref); }
.cqa-passage { margin: 0; padding: 0 0 0 10px; border-left: 3px solid var(--border-color-accent);
  font-size: 0.92rem; line-height: 1.75; white-space: pre-line; overflow-wrap: anywhere; }
.cqa-passage mark, .cqa-answer mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.cqa-tools { margin-top: 0.4em; }
.cqa-copy { font-size: 0.8em; padding: 1px 8px; border-radius: 4px; cursor: pointer; color: var(--body-text-color);
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.cqa-copy.cqa-copied::after { content: " ✓"; }
.cqa-copy.cqa-copy-failed { color: #991b1b; border-color: #991b1b; }
.dark .cqa-copy.cqa-copy-failed { color: #fecaca; border-color: #fecaca; }
.cqa-sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  clip-path: inset(50%); white-space: nowrap; }
#cqa-library .cqa-library { width: 100%; border-collapse: collapse; font-size: 0.92rem; border: none; }
.cqa-library td:nth-child(2) { white-space: nowrap; }
.cqa-library code { font-size: 0.85em; }
.cqa-library caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
#cqa-library .cqa-library th, #cqa-library .cqa-library td { text-align: left; padding: 6px 8px; border: none;
  border-bottom: 1px solid var(--border-color-primary);
  vertical-align: top; overflow-wrap: anywhere; }
.cqa-library td:last-child, .cqa-library th:last-child { text-align: right; }
/* a long title took all the width on a laptop: the file name wrapped over 6 lines and "片段 / Chunks" one
   character a line. Headers, dates and counts stay on one line; the file keeps room for ~20 characters
   and breaks at its <wbr>s (after _ - /, before .); a narrow window scrolls the table sideways. */
#cqa-library { overflow-x: auto; }
#cqa-library .cqa-library th { white-space: nowrap; }
#cqa-library .cqa-library td:nth-child(5) { white-space: nowrap; }
#cqa-library .cqa-library td:first-child { min-width: 12em; }
#cqa-library .cqa-library td:nth-child(3) { min-width: 12em; }
.cqa-uploads { list-style: none; padding: 0; margin: 0; font-size: 0.9rem; }
.cqa-uploads li { margin: 4px 0; overflow-wrap: anywhere; }
.cqa-library .cqa-read, .cqa-full-link, .cqa-back, .cqa-full a { color: var(--cqa-ref); font-size: 0.85em; }
.cqa-library td.cqa-added { white-space: nowrap; font-size: 0.85em; color: var(--cqa-muted); }
/* a phone: the file and added columns go (the title links to the article), so the title and date
   keep a readable width instead of wrapping one character per line */
@media (max-width: 640px) {
  .cqa-library th:nth-child(3), .cqa-library td:nth-child(3),
  .cqa-library th:nth-child(4), .cqa-library td:nth-child(4) { display: none; }
  #cqa-library .cqa-library th, #cqa-library .cqa-library td { padding: 6px 4px; }
  /* three columns on 360 px: a header may wrap, at its " / " only (keep-all: not inside 片段) */
  #cqa-library .cqa-library th { white-space: normal; word-break: keep-all; overflow-wrap: normal; }
  #cqa-library .cqa-library td:first-child { min-width: 9em; }
}
.cqa-incomplete { color: #92400e; border-color: #92400e; }
.dark .cqa-incomplete { color: #fcd34d; border-color: #fcd34d; }
#cqa-page { text-align: center; align-self: center; font-size: 0.9rem; }
.cqa-question { font-weight: 600; margin: 4px 0; }
#cqa-delete-confirm { background: #b91c1c; border-color: #b91c1c; }
.cqa-full { max-width: 46rem; margin: 0 auto; }
.cqa-full h1, .cqa-page-title { font-size: 1.5rem; margin: 0.3rem 0; }
.cqa-full .cqa-meta { word-break: break-all; }
.cqa-full-text p { line-height: 1.9; margin: 0 0 0.9em; overflow-wrap: anywhere; }
.cqa-full-text mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.cqa-full-text mark:focus { outline: 2px solid var(--cqa-ref); }
.cqa-ok { color: #15803d; }
.dark .cqa-ok { color: #86efac; }
.cqa-fail { color: #b91c1c; }
.dark .cqa-fail { color: #fca5a5; }
.cqa-warn { color: #92400e; }
.dark .cqa-warn { color: #fcd34d; }
"""
