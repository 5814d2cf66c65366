"""Web chat: the Gradio app behind ``rag ui`` — layout, queue, and safe launch settings.

Owns: the page (chat with streaming answers and source cards, script selector,
examples, library tab), wiring events to ``ui.chat`` handlers, the public ``/ask``
API endpoint, the bounded queue, and the launch rules: loopback by default,
``share=False``, optional login from ``RAG_UI_AUTH``, and refusing to listen on a
non-loopback address without a login.
Does not own: answering (``rag``), markup and escaping (``ui.render``), wording
(``ui.labels``), handlers (``ui.chat``).
"""

from __future__ import annotations

import ipaddress

import gradio as gr

from rag import ConfigError, Engine, Settings
from ui import labels as L
from ui import render as R
from ui.chat import Chat, Library, ask_api
from ui.style import CSS

__all__ = ["build_app", "launch", "launch_options", "parse_auth", "is_loopback", "serve", "CSS"]

# Local fonts only: the product runs offline, and a CDN font request would leak usage.
_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
_MONO = ["DejaVu Sans Mono", "ui-monospace", "monospace"]


def _chat_tab(engine: Engine) -> None:
    chat = Chat(engine)
    questions = gr.State([])
    pending = gr.State("")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            bot = gr.Chatbot(label=L.TAB_CHAT, show_label=False, height=520, elem_id="cqa-chat", latex_delimiters=[],
                             feedback_options=None, buttons=["copy"], layout="bubble")
            box = gr.Textbox(label=L.INPUT_LABEL, placeholder=L.INPUT_PLACEHOLDER, lines=1, max_lines=4,
                             elem_id="cqa-question", submit_btn=L.SEND, autofocus=True)
            with gr.Row():
                script = gr.Radio(L.SCRIPT_CHOICES, value=L.AUTO, label=L.SCRIPT_LABEL, elem_id="cqa-script",
                                  scale=3)
                clear = gr.Button(L.CLEAR, variant="secondary", scale=1, elem_id="cqa-clear")
            gr.Examples(L.EXAMPLES, inputs=[box], label=L.EXAMPLES_LABEL, examples_per_page=6)
        with gr.Column(scale=2, min_width=320):
            sources = gr.HTML(R.sources_placeholder(), elem_id="cqa-sources", js_on_load=None)
    # The box empties and locks at once, and unlocks when the answer is complete: a second
    # question sent mid-stream would otherwise start from a stale copy of the conversation.
    box.submit(lambda q: (gr.update(value="", interactive=False), q), [box], [box, pending], queue=False,
               api_visibility="private") \
        .then(chat.respond, [pending, bot, questions, script], [bot, sources, questions],
              api_visibility="private", show_progress="hidden") \
        .then(lambda: gr.update(interactive=True), None, [box], queue=False, api_visibility="private")
    clear.click(lambda: ([], R.sources_placeholder(), [], ""), None, [bot, sources, questions, box],
                queue=False, api_visibility="private")
    # the chatbot's own trash button empties the messages; forget the follow-up context too
    bot.clear(lambda: (R.sources_placeholder(), []), None, [sources, questions], queue=False,
              api_visibility="private")


def _library_tab(engine: Engine, settings: Settings) -> tuple[Library, gr.HTML, gr.Dropdown]:
    lib = Library(engine, settings)
    with gr.Tab(L.TAB_LIBRARY, id="library") as tab:
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                table = gr.HTML(elem_id="cqa-library", js_on_load=None)
                refresh = gr.Button(L.REFRESH, size="sm", elem_id="cqa-refresh")
            with gr.Column(scale=2, min_width=320):
                limits = f"{' '.join(L.ALLOWED_SUFFIXES)}, ≤ {settings.upload_max_mb:g} MB"
                files = gr.File(label=f"{L.UPLOAD_LABEL} ({limits})", file_count="multiple", type="filepath",
                                elem_id="cqa-upload")
                # subtle: no file_types filter here — Gradio would reject a wrong type with a
                # passing toast; letting it through gives a per-file reason that stays on the page.
                # Size is enforced by the server (launch max_file_size) before the file is stored.
                results = gr.HTML(elem_id="cqa-upload-results", js_on_load=None)
                pick = gr.Dropdown(label=L.DELETE_LABEL, choices=[], elem_id="cqa-delete-pick")
                delete = gr.Button(L.DELETE_BUTTON, variant="stop", elem_id="cqa-delete")
                status = gr.HTML(elem_id="cqa-delete-status", js_on_load=None)
    files.upload(lib.upload, [files], [results, table, pick, files], api_visibility="private")
    delete.click(lib.delete, [pick], [status, table, pick], api_visibility="private")
    for event in (refresh.click, tab.select):
        event(lib.refresh, None, [table, pick], api_visibility="private", show_progress="hidden")
    return lib, table, pick


def build_app(engine: Engine, settings: Settings) -> gr.Blocks:
    """The whole page; launch it with ``launch(app, settings)`` (adds CSS, auth, bind checks)."""
    with gr.Blocks(title=L.TITLE, analytics_enabled=False) as app:
        gr.HTML(f'<header class="cqa-header"><h1>{R.escape_text(L.TITLE)}</h1>'
                f"<p>{R.escape_text(L.SUBTITLE)}</p></header>", js_on_load=None)
        with gr.Tabs():
            with gr.Tab(L.TAB_CHAT, id="chat"):
                _chat_tab(engine)
            lib, table, pick = _library_tab(engine, settings)
        gr.api(ask_api(engine), api_name="ask")
        app.load(lib.refresh, None, [table, pick], api_visibility="private", show_progress="hidden")
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
                show_error=False, max_file_size=int(settings.upload_max_mb * 1024 * 1024),
                footer_links=["api"], ssr_mode=False, css=CSS,
                theme=gr.themes.Default(font=_FONTS, font_mono=_MONO))


def launch(app: gr.Blocks, settings: Settings, host: str | None = None, port: int | None = None, **extra):
    """Launch ``app`` with ``launch_options``; ``extra`` e.g. ``prevent_thread_lock=True`` for tests."""
    return app.launch(**launch_options(settings, host, port), **extra)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """``rag ui``: build the engine and index once, then serve until interrupted."""
    launch_options(settings, host, port)  # fail on an unsafe bind before loading models
    engine = Engine(settings)
    if engine.is_empty():
        print(f"Building the index from {settings.corpus_dir} (first run only)…", flush=True)
    engine.ensure_index()
    app = build_app(engine, settings)
    try:
        launch(app, settings, host, port)
    except OSError as exc:
        raise ConfigError(f"Cannot listen on {host or settings.rag_ui_host}:{port or settings.rag_ui_port}"
                          f" ({exc}). Set RAG_UI_PORT or pass --port.") from None
