"""Style: the web chat's CSS (kept in Python so it ships with the package).

Owns: how answers, source cards, the library table and messages look. Colours come
from Gradio's theme variables so light and dark mode both stay readable.
Does not own: markup (``ui.render``).
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
.cqa-header h1 { font-size: 1.6rem; margin: 0.2rem 0 0.1rem; }
.cqa-header p { margin: 0 0 0.4rem; color: var(--body-text-color-subdued); font-size: 0.95rem; }
#cqa-chat .cqa-answer { line-height: 1.75; }
.cqa-ref { color: var(--color-accent); font-weight: 600; margin: 0 1px; }
.cqa-badge { display: inline-block; font-size: 0.8em; font-style: normal; padding: 0 6px; margin-right: 4px;
  border-radius: 4px; background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.cqa-abstained { color: var(--body-text-color-subdued); font-style: italic; }
.cqa-notice { font-size: 0.85em; margin-top: 0.3em; color: var(--body-text-color-subdued); }
.cqa-footnotes { list-style: none; padding-left: 0 !important; margin: 0.5em 0 0 !important;
  font-size: 0.82em; color: var(--body-text-color-subdued); }
.cqa-footnotes li { margin: 0 !important; }
.cqa-query { font-size: 0.9rem; color: var(--body-text-color); }
.cqa-error { color: #b91c1c; background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; padding: 6px 10px; }
.cqa-error strong { margin-right: 0.4em; }
.cqa-sources h3 { margin: 0 0 0.5rem; font-size: 1.05rem; }
.cqa-hint { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.cqa-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin: 0 0 10px; background: var(--background-fill-secondary); }
.cqa-card header { font-weight: 600; line-height: 1.5; }
.cqa-card .cqa-n { color: var(--color-accent); margin-right: 2px; }
.cqa-meta { font-size: 0.82rem; color: var(--body-text-color-subdued); margin: 2px 0 6px; word-break: break-all; }
.cqa-meta a { color: var(--link-text-color); }
#cqa-sources .cqa-passage { margin: 0; padding: 0 0 0 10px; border-left: 3px solid var(--border-color-accent);
  font-size: 0.92rem; line-height: 1.75; white-space: pre-line; overflow-wrap: anywhere; }
.cqa-passage mark, .cqa-answer mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
#cqa-library .cqa-library { width: 100%; border-collapse: collapse; font-size: 0.92rem; border: none; }
.cqa-library td:nth-child(2) { white-space: nowrap; }
.cqa-library code { font-size: 0.85em; }
.cqa-library caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
#cqa-library .cqa-library th, #cqa-library .cqa-library td { text-align: left; padding: 6px 8px; border: none;
  border-bottom: 1px solid var(--border-color-primary);
  vertical-align: top; overflow-wrap: anywhere; }
.cqa-library td:last-child, .cqa-library th:last-child { text-align: right; }
.cqa-uploads { list-style: none; padding: 0; margin: 0; font-size: 0.9rem; }
.cqa-uploads li { margin: 4px 0; overflow-wrap: anywhere; }
.cqa-ok { color: #15803d; }
.cqa-fail { color: #b91c1c; }
"""
