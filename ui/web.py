"""Web chat: the Gradio app behind ``rag ui`` — layout, queue, and safe launch settings.

Owns: the page (chat with streaming answers and source cards, script selector,
examples, library tab) and its two link-only pages (``/help``: README's LLM section;
``/article``: the full-article view), wiring events to ``ui.chat`` / ``ui.library`` handlers, the public ``/ask``
API endpoint, the bounded queue, and the launch rules: loopback by default,
``share=False``, optional login from ``RAG_UI_AUTH``, and refusing to listen on a
non-loopback address without a login.
Does not own: answering (``rag``), markup and escaping (``ui.render``, ``ui.article``), wording
(``ui.labels``), handlers (``ui.chat``, ``ui.library``, ``ui.article``).
"""

from __future__ import annotations

import ipaddress
import sys
import threading

import gradio as gr

from rag import ConfigError, Engine, Settings
from ui import labels as L
from ui import render as R
from ui.behaviour import HEAD, SHOW_ANSWER
from ui.article import SHOW_MARK, ArticlePage
from ui.chat import Chat, ask_api, asker_script
from ui.feedback import Feedback
from ui.help import HELP_PATH, docs_url, llm_section, state_secret
from ui.history import History
from ui.library import Library
from ui.style import CSS

__all__ = ["build_app", "launch", "launch_options", "hard_upload_cap", "parse_auth", "is_loopback", "serve", "CSS"]

# Local fonts only: the product runs offline, and a CDN font request would leak usage.
_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
_MONO = ["DejaVu Sans Mono", "ui-monospace", "monospace"]
# subtle: the example chip vanishes with the empty chat, leaving focus on <body>; back to the box
# once it is unlocked (retried: the unlock may not be painted yet), without scrolling the answer away
_FOCUS_QUESTION = """() => { let tries = 20;
  const focus = () => {
    const box = document.querySelector('#cqa-question textarea');
    if (box && !box.disabled) box.focus({preventScroll: true});
    else if (tries-- > 0) setTimeout(focus, 50);
  };
  focus();
}"""


def _send(trigger, chat: Chat, conv, bot, turns, saved, pick, box, pending, script, new):
    """After ``trigger`` has put a question in ``pending``: answer it, save the conversation, unlock.

    subtle: New chat is locked with the box: pressed mid-answer, it was ignored and the answer then
    saved the conversation a second time, as a duplicate in the list.
    """
    return trigger.then(lambda: gr.update(interactive=False), None, [new], queue=False, api_visibility="private") \
        .then(chat.respond, [pending, bot, turns, script], [bot, turns], api_visibility="private",
              show_progress="hidden") \
        .then(History.save, [conv, bot, turns, saved], [conv, saved, pick], queue=False, api_visibility="private") \
        .then(lambda: (gr.update(interactive=True),) * 2, None, [box, new], queue=False, api_visibility="private") \
        .then(None, None, None, js=SHOW_ANSWER, queue=False, api_visibility="private")


def _take(question: str, script: str, request: gr.Request):
    """The box empties and locks at once; an empty question is refused with a hint instead.

    subtle: locked until the answer is complete — a second question sent mid-stream would
    otherwise start from a stale copy of the conversation.
    """
    if not (question or "").strip():
        gr.Warning(L.EMPTY_QUESTION[asker_script(script, request.headers.get("accept-language", ""))])
        return gr.skip(), ""
    return gr.update(value="", interactive=False), question


def _take_example(chip: gr.SelectData):
    """An example chip sends its question, exactly as if it had been typed."""
    return gr.update(value="", interactive=False), chip.value["text"]


def _known_script(choice) -> str:
    """A saved selector value, or auto if it is not one of today's choices (an old or tampered entry)."""
    return choice if choice in {value for _, value in L.SCRIPT_CHOICES} else L.AUTO


def _closed():
    return gr.update(visible=False, value=""), None, gr.update(visible=False)


def _history(conv, bot, turns, saved, new):
    """The conversations accordion: reopen, rename, delete (after a confirmation, as in the library), new chat.

    Returns the list and what opening a conversation sets: (pick, [conv, bot, turns, pick, name]).
    """
    with gr.Accordion(L.HISTORY_LABEL, open=False, elem_id="cqa-history"):
        pick = gr.Dropdown(label=L.HISTORY_LABEL, choices=[], elem_id="cqa-history-pick")
        with gr.Row():
            name = gr.Textbox(label=L.RENAME_LABEL, elem_id="cqa-rename", scale=3)
            rename = gr.Button(L.RENAME, size="sm", elem_id="cqa-rename-btn", scale=1)
            delete = gr.Button(L.DELETE_CONVERSATION, size="sm", variant="stop", elem_id="cqa-history-delete",
                               scale=1)
        ask = gr.HTML(visible=False, elem_id="cqa-history-ask", js_on_load=None)
        with gr.Row(visible=False, elem_id="cqa-history-confirm-row") as row:
            confirm = gr.Button(L.DELETE_CONFIRM, variant="stop", size="sm", elem_id="cqa-history-confirm")
            cancel = gr.Button(L.CANCEL, size="sm", elem_id="cqa-history-cancel")
    doomed, private = gr.State(None), dict(queue=False, api_visibility="private")
    opened, question = [conv, bot, turns, pick, name], [ask, doomed, row]
    for event in (new.click, bot.clear):
        event(History.new, [saved], opened, **private)
    pick.input(History.open, [pick, saved], opened, **private)
    for event in (rename.click, name.submit):   # Enter in the name box renames too
        event(History.rename, [conv, name, saved], [saved, pick], **private)
    delete.click(History.ask_delete, [conv, saved], question, **private)
    confirm.click(History.delete, [doomed, saved], [saved, *opened], **private).then(_closed, None, question, **private)
    cancel.click(_closed, None, question, **private)
    return pick, opened


def _chat_tab(engine: Engine, settings: Settings, summary: str):
    chat, feedback = Chat(engine, docs_url(settings)), Feedback(engine, settings)
    turns, conv, pending, row = gr.State([]), gr.State(""), gr.State(""), gr.State(None)
    # subtle: a fixed secret — Gradio's default is random per start, which made every saved
    # conversation unreadable after a restart
    saved = gr.BrowserState({}, storage_key="cqa-conversations", secret=state_secret(settings))
    # the answer script is the reader's choice, not a conversation's: kept under its own key
    chosen = gr.BrowserState(L.AUTO, storage_key="cqa-script", secret=state_secret(settings))
    bot = gr.Chatbot(label=L.TAB_CHAT, show_label=False, height="60vh", min_height=360, elem_id="cqa-chat",
                     latex_delimiters=[], buttons=[], layout="bubble", editable="user", placeholder=summary,
                     examples=_examples(engine, settings) or None, feedback_options=("Like", "Dislike"))
    comment = gr.Textbox(label=L.COMMENT_LABEL, visible=False, elem_id="cqa-comment", lines=1)
    noted = gr.HTML(elem_id="cqa-feedback-status", js_on_load=None)
    # no autofocus: focusing the box on load scrolled the page past the title on small screens
    box = gr.Textbox(label=L.INPUT_LABEL, placeholder=L.INPUT_PLACEHOLDER, lines=1, max_lines=4,
                     elem_id="cqa-question", submit_btn=L.SEND)
    with gr.Row():
        script = gr.Radio(L.SCRIPT_CHOICES, value=L.AUTO, label=L.SCRIPT_LABEL, elem_id="cqa-script", scale=3)
        new = gr.Button(L.CLEAR, variant="secondary", scale=1, elem_id="cqa-clear")
    pick, opened = _history(conv, bot, turns, saved, new)
    script.input(lambda choice: choice, [script], [chosen], queue=False, api_visibility="private")
    chain = (chat, conv, bot, turns, saved, pick, box, pending, script, new)
    # queued (not queue=False) so the empty-question warning reaches the page as a toast
    _send(box.submit(_take, [box, script], [box, pending], api_visibility="private"), *chain)
    _send(bot.example_select(_take_example, None, [box, pending], queue=False, api_visibility="private"), *chain) \
        .then(None, None, None, js=_FOCUS_QUESTION, queue=False, api_visibility="private")
    for event, fn, inputs in ((bot.retry, chat.retry, [bot, turns, script]),
                              (bot.edit, chat.edit, [bot, turns, script])):
        event(fn, inputs, [bot, turns], api_visibility="private", show_progress="hidden") \
            .then(History.save, [conv, bot, turns, saved], [conv, saved, pick], queue=False,
                  api_visibility="private")
    bot.like(feedback.rate, [turns, conv], [row, comment, noted], queue=False, api_visibility="private")
    comment.submit(feedback.comment, [row, comment], [comment, noted], queue=False, api_visibility="private")
    return bot, [saved, chosen], [*opened, script]


def _upload_box(settings: Settings):
    limits = f"{' '.join(L.ALLOWED_SUFFIXES)}, ≤ {settings.upload_max_mb:g} MB"
    # subtle: no file_types filter here — Gradio would reject a wrong type with a passing toast;
    # letting it through gives a per-file reason that stays on the page. The same goes for size:
    # UPLOAD_MAX_MB is checked per file by ui.library; Gradio's own limit is only the hard cap.
    files = gr.File(label=f"{L.UPLOAD_LABEL} ({limits})", file_count="multiple", type="filepath",
                    elem_id="cqa-upload")
    ask = gr.HTML(visible=False, elem_id="cqa-replace-ask", js_on_load=None)
    with gr.Row(visible=False, elem_id="cqa-replace-row") as row:
        replace = gr.Button(L.REPLACE, variant="primary", size="sm", elem_id="cqa-replace")
        keep = gr.Button(L.KEEP, size="sm", elem_id="cqa-keep")
    results = gr.HTML(elem_id="cqa-upload-results", js_on_load=None)
    return files, ask, row, replace, keep, results


def _delete_box():
    pick = gr.Dropdown(label=L.DELETE_LABEL, choices=[], elem_id="cqa-delete-pick")
    delete = gr.Button(L.DELETE_BUTTON, variant="stop", elem_id="cqa-delete")
    status = gr.HTML(elem_id="cqa-delete-status", js_on_load=None)
    with gr.Row(visible=False, elem_id="cqa-delete-confirm-row") as row:
        confirm = gr.Button(L.DELETE_CONFIRM, variant="stop", size="sm", elem_id="cqa-delete-confirm")
        cancel = gr.Button(L.CANCEL, size="sm", elem_id="cqa-delete-cancel")
    return pick, delete, status, row, confirm, cancel


def _library_tab(engine: Engine, settings: Settings):
    lib = Library(engine, settings)
    with gr.Tab(L.TAB_LIBRARY, id="library") as tab:
        # subtle: created inside the Tab — a State made directly under gr.Tabs shows up as a second tab button
        page, held, doomed = gr.State(1), gr.State([]), gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                with gr.Row():
                    search = gr.Textbox(label=L.SEARCH_LABEL, elem_id="cqa-lib-search", max_lines=1, scale=3)
                    order = gr.Dropdown(L.SORT_CHOICES, value="source", label=L.SORT_LABEL, elem_id="cqa-lib-sort",
                                        scale=2, min_width=200)
                table = gr.HTML(elem_id="cqa-library", js_on_load=None)
                with gr.Row():
                    prev = gr.Button(L.PREV, size="sm", elem_id="cqa-prev")
                    where = gr.HTML(elem_id="cqa-page", js_on_load=None)
                    nxt = gr.Button(L.NEXT, size="sm", elem_id="cqa-next")
                    refresh = gr.Button(L.REFRESH, size="sm", elem_id="cqa-refresh")
            with gr.Column(scale=2, min_width=320):
                files, ask, ask_row, replace, keep, results = _upload_box(settings)
                pick, delete, status, confirm_row, confirm, cancel = _delete_box()
    listing = [table, where, pick, page, prev, nxt]
    private = dict(api_visibility="private")
    # the embedding progress ("片段 1200/2600") is drawn on the results panel only, not over the other panels
    # the last upload's lines go as soon as a new one arrives, not when it has finished embedding
    files.upload(lambda: "", None, [results], queue=False, **private) \
        .then(lib.upload, [files, search, page, order], [results, *listing, files, held, ask], **private,
              show_progress_on=[results]) \
        .then(lambda h: gr.update(visible=bool(h)), [held], [ask_row], queue=False, **private)
    replace.click(lib.replace, [held, search, page, order], [results, *listing, held, ask], **private,
                  show_progress_on=[results]) \
        .then(lambda: gr.update(visible=False), None, [ask_row], queue=False, **private)
    keep.click(lib.keep, [held], [results, held, ask], queue=False, **private) \
        .then(lambda: gr.update(visible=False), None, [ask_row], queue=False, **private)
    delete.click(lib.ask_delete, [pick], [status, doomed, confirm_row], **private)
    confirm.click(lib.delete, [doomed, search, page, order], [status, *listing, results, doomed, confirm_row],
                  **private)
    cancel.click(lambda: ("", None, gr.update(visible=False)), None, [status, doomed, confirm_row], queue=False,
                 **private)
    cleared = [*listing, results, status]
    # the "Added …" and "Deleted …" lines go whenever the list changes
    for event in (search.change, order.change):   # a new search or order starts at page 1
        event(lambda q, o: lib.refresh(q, 1, o), [search, order], cleared, **private, show_progress="hidden")
    prev.click(lambda q, n, o: lib.step(q, n, -1, o), [search, page, order], cleared, **private)
    nxt.click(lambda q, n, o: lib.step(q, n, +1, o), [search, page, order], cleared, **private)
    for event in (refresh.click, tab.select):
        event(lib.refresh, [search, page, order], cleared, **private, show_progress="hidden")
    return lib, listing, search


def _article_page(engine: Engine, app: gr.Blocks) -> None:
    """The full-article page, its own URL so a card's link opens it in a new tab (keyboard: a link)."""
    reader = ArticlePage(engine)
    with app.route(L.ARTICLE_TITLE, R.ARTICLE_PATH, show_in_navbar=False):
        body = gr.HTML(elem_id="cqa-article", js_on_load=None)
        app.load(reader.load, None, [body], api_visibility="private").then(
            None, None, None, js=SHOW_MARK, queue=False, api_visibility="private")


def _summary(engine: Engine, settings: Settings) -> str:
    try:
        return R.library_summary(engine.documents(), bool(_examples(engine, settings)))
    except Exception:  # the page must still load; the library tab shows the error
        return ""


def _examples(engine: Engine, settings: Settings) -> list[dict]:
    """The example questions, when the demo articles they ask about are in the library.

    subtle: over a library of the user's own articles every example got "not found"."""
    try:
        return [{"text": q} for q in L.EXAMPLES] if engine.holds_folder(settings.corpus_dir) else []
    except Exception:  # the page must still load
        return []


def build_app(engine: Engine, settings: Settings) -> gr.Blocks:
    """The whole page; launch it with ``launch(app, settings)`` (adds CSS, JS, auth, bind checks)."""
    with gr.Blocks(title=L.TITLE, analytics_enabled=False) as app:
        gr.HTML(f'<header class="cqa-header"><h1>{R.escape_text(L.TITLE)}</h1>'
                f"<p>{R.escape_text(L.SUBTITLE)}</p></header>", js_on_load=None)
        with gr.Tabs():
            with gr.Tab(L.TAB_CHAT, id="chat"):
                bot, kept, restored = _chat_tab(engine, settings, _summary(engine, settings))
            lib, listing, search = _library_tab(engine, settings)
        gr.api(ask_api(engine), api_name="ask")

        def reopen(state, choice, request: gr.Request):
            # after a reload the last conversation and answer script come back; an empty chat shows the library
            conv, messages, turns, choices, name = History.restore(state, request)
            return (conv, gr.update(value=messages, placeholder=_summary(engine, settings)), turns, choices, name,
                    _known_script(choice))

        app.load(reopen, kept, restored, api_visibility="private", show_progress="hidden")
        app.load(lambda: lib.view("", 1), None, listing, api_visibility="private", show_progress="hidden")
    with app.route(L.HELP_TITLE, HELP_PATH, show_in_navbar=False):
        # the page's own <h1> (axe: page-has-heading-one); the README section under it starts at ##
        gr.Markdown(f'# {L.HELP_TITLE}\n\n{llm_section()}\n\n[{L.BACK}](./)', elem_id="cqa-help")
    _article_page(engine, app)
    app.queue(max_size=settings.ui_queue_size, default_concurrency_limit=settings.ui_concurrency)
    return app


def parse_auth(secret) -> tuple[str, str] | None:
    """``RAG_UI_AUTH=user:password`` → (user, password); empty → no login."""
    raw = secret.get_secret_value() if hasattr(secret, "get_secret_value") else (secret or "")
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise ConfigError("RAG_UI_AUTH must look like user:password (both non-empty), or be empty for no login.")
    return user, password


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hard_upload_cap(settings: Settings) -> int:
    """Gradio's ``max_file_size``: 10 × UPLOAD_MAX_MB, at least 50 MB.

    subtle: Gradio checks this in the browser and drops a whole multi-file pick, valid files
    too, with an English-only toast, when one file is over it; so it is set well above the
    app's per-file limit, which ``ui.library`` enforces with a bilingual line per file (by
    size on disk, before reading the file). It stays as the hard cap: the server stops
    receiving a bigger upload before it fills the disk.
    """
    return int(max(10 * settings.upload_max_mb, 50) * 1024 * 1024)


def launch_options(settings: Settings, host: str | None = None, port: int | None = None) -> dict:
    """Keyword arguments for ``Blocks.launch``; raises ``ConfigError`` for an unsafe bind."""
    host = host or settings.rag_ui_host
    port = port or settings.rag_ui_port
    auth = parse_auth(settings.rag_ui_auth)
    if not is_loopback(host) and auth is None:
        raise ConfigError(
            f"Refusing to serve on {host}: it is reachable from other machines and no login is set. "
            "Set RAG_UI_AUTH=user:password, or use RAG_UI_HOST=127.0.0.1.")
    return dict(server_name=host, server_port=port, share=False, auth=auth,
                auth_message=f"{L.TITLE}: 请登录 / Please log in" if auth else None,
                show_error=False, max_file_size=hard_upload_cap(settings),
                footer_links=["api"], ssr_mode=False, css=CSS, head=HEAD,
                theme=gr.themes.Default(font=_FONTS, font_mono=_MONO))


def launch(app: gr.Blocks, settings: Settings, host: str | None = None, port: int | None = None, **extra):
    """Launch ``app`` with ``launch_options``; ``extra`` e.g. ``prevent_thread_lock=True`` for tests."""
    return app.launch(**launch_options(settings, host, port), **extra)


def _warm_up(engine: Engine) -> None:
    try:
        engine.warm_up()
    except Exception as exc:  # noqa: BLE001 - the first question meets, and reports, the same failure
        print(f"Warm-up skipped ({exc}); the first answer builds what it needs.", file=sys.stderr, flush=True)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """``rag ui``: build the engine and index once, then serve until interrupted."""
    launch_options(settings, host, port)  # fail on an unsafe bind before loading models
    engine = Engine(settings)
    if engine.first_build_pending():
        print(f"Building the index from {settings.corpus_dir} (first run only)…", flush=True)
    engine.ensure_index()
    # subtle: while Gradio starts and the reader types, not during the first question (1.3 s → 0.1 s)
    threading.Thread(target=_warm_up, args=(engine,), name="warm-up", daemon=True).start()
    app = build_app(engine, settings)
    try:
        launch(app, settings, host, port)
    except OSError as exc:
        raise ConfigError(f"Cannot listen on {host or settings.rag_ui_host}:{port or settings.rag_ui_port}"
                          f" ({exc}). Set RAG_UI_PORT or pass --port.") from None
