"""Behaviour: the few browser-side handlers Gradio has no feature for, as one ``<head>`` script.

Owns: (1) a click on an answer's ``[n]`` marker opens that answer's cited passages and
highlights card n; (2) the Copy button in each answer puts the plain text the server
rendered into its ``value`` (answer, then numbered sources) on the clipboard — Gradio's own
copy button would copy the bubble's HTML source; (3) each message's ``aria-label``, which
Gradio sets to the raw message HTML, is replaced by its visible text (and the upload drop
zone's label by the words it shows).
Both handlers are delegated from ``document``, so they work for bubbles rendered later and
for conversations reopened from history. Nothing here builds markup from text.
Does not own: markup (``ui.render``), styles (``ui.style``).
"""

from __future__ import annotations

__all__ = ["HEAD", "SHOW_ANSWER"]

HEAD = """<script>
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
  async function copyText(button) {
    const text = button.value || '';
    window.cqaLastCopy = text;  // what the handler produced, for tests without clipboard access
    try { await navigator.clipboard.writeText(text); } catch (e) { /* insecure origin: nothing to do */ }
    button.classList.add('cqa-copied');
    setTimeout(() => button.classList.remove('cqa-copied'), 1500);
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

# Run after an answer is complete: the chat's autoscroll and the page's focus on the input can
# leave the answer above the screen on a phone; bring the start of the newest answer into view.
SHOW_ANSWER = """() => { setTimeout(() => {
  const answers = document.querySelectorAll('#cqa-chat .cqa-answer, #cqa-chat .cqa-error');
  if (answers.length) answers[answers.length - 1].scrollIntoView({block: 'center'});
}, 150); }"""
