"""Behaviour: the few browser-side handlers Gradio has no feature for, as one ``<head>`` script.

Owns: (1) a click on an answer's ``[n]`` marker opens that answer's cited passages and
highlights card n; (2) the Copy button in each answer puts the plain text the server
rendered into its ``value`` (answer, then numbered sources) on the clipboard — Gradio's own
copy button would copy the bubble's HTML source — falling back to ``execCommand('copy')`` where
the Clipboard API is missing (plain http), and saying "copied" or "copy failed" visibly and to
screen readers; (3) each message's ``aria-label``, which
Gradio sets to the raw message HTML, is replaced by its visible text (and the upload drop
zone's label by the words it shows).
Both handlers are delegated from ``document``, so they work for bubbles rendered later and
for conversations reopened from history. Nothing here builds markup from text.
Does not own: markup (``ui.render``), styles (``ui.style``).
"""

from __future__ import annotations

import json

from ui import labels as L

__all__ = ["HEAD", "SHOW_ANSWER"]

_HEAD = """<script>
(() => {
  function showCard(ref) {
    const msg = ref.closest('.cqa-msg');
    const n = (ref.className.match(/cqa-ref-(\\d+)/) || [])[1];
    const card = msg && n && msg.querySelector('.cqa-card-' + n);
    if (!card) return;
    const box = card.closest('details');
    if (box) box.open = true;
    msg.querySelectorAll('.cqa-card.cqa-hl').forEach((c) => c.classList.remove('cqa-hl'));
    card.classList.add('cqa-hl');
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    card.focus({preventScroll: true});
  }
  const WORDS = __COPY_WORDS__;
  function announce(text) {
    // subtle: the ✓ is drawn by CSS, which screen readers do not read; one polite live region says it
    let live = document.getElementById('cqa-live');
    if (!live) {
      live = document.createElement('div');
      live.id = 'cqa-live';
      live.className = 'cqa-sr-only';
      live.setAttribute('role', 'status');
      document.body.appendChild(live);
    }
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 50);  // a changed text is announced, a set one may not be
  }
  function legacyCopy(text) {
    // plain http on a LAN address (--host 0.0.0.0 + RAG_UI_AUTH) has no navigator.clipboard
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.cssText = 'position:fixed;top:0;left:0;opacity:0;';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  function showCopied(button, ok) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    clearTimeout(button.cqaTimer);
    button.classList.toggle('cqa-copied', ok);
    button.classList.toggle('cqa-copy-failed', !ok);
    button.textContent = ok ? button.dataset.label : WORDS.failed;
    announce(ok ? WORDS.copied : WORDS.failed);
    button.cqaTimer = setTimeout(() => {
      button.classList.remove('cqa-copied', 'cqa-copy-failed');
      button.textContent = button.dataset.label;
    }, ok ? 1500 : 4000);
  }
  async function copyText(button) {
    const text = button.value || '';
    window.cqaLastCopy = text;  // what the handler produced, for tests without clipboard access
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) { ok = legacyCopy(text); }
    showCopied(button, ok);
  }
  document.addEventListener('click', (event) => {
    const ref = event.target.closest && event.target.closest('.cqa-ref');
    if (ref) { event.preventDefault(); showCard(ref); return; }
    const copy = event.target.closest && event.target.closest('.cqa-copy');
    if (copy) { event.preventDefault(); copyText(copy); }
  });
  function relabel() {
    document.querySelectorAll('#cqa-chat [aria-label*="message: "]').forEach((el) => {
      const old = el.getAttribute('aria-label');
      const who = old.slice(0, old.indexOf('message: ') + 9);
      const copy = el.querySelector('.cqa-copy');
      const label = who + (copy ? copy.value : el.innerText).replace(/\\s+/g, ' ').trim();
      if (label !== old) el.setAttribute('aria-label', label);
    });
    // Gradio's drop zone is named "Click to upload…" while it shows other words; name it by
    // what it shows, so speech users can say what they see (WCAG 2.5.3)
    document.querySelectorAll('#cqa-upload .upload-container[aria-label]').forEach((el) => {
      const shown = el.innerText.replace(/\\s+/g, ' ').trim();
      if (shown && el.getAttribute('aria-label') !== shown) el.setAttribute('aria-label', shown);
    });
  }
  new MutationObserver(relabel).observe(document.documentElement,
    {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label']});
})();
</script>"""
HEAD = _HEAD.replace("__COPY_WORDS__", json.dumps({"copied": L.COPIED, "failed": L.COPY_FAILED}, ensure_ascii=False))

# Run after an answer is complete: the chat's autoscroll and the page's focus on the input can
# leave the answer above the screen on a phone; bring the start of the newest answer into view.
SHOW_ANSWER = """() => { setTimeout(() => {
  const answers = document.querySelectorAll('#cqa-chat .cqa-answer, #cqa-chat .cqa-error');
  if (answers.length) answers[answers.length - 1].scrollIntoView({block: 'center'});
}, 150); }"""
