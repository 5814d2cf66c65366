"""Labels: every fixed string the web chat shows, bilingual (中文 / English).

Owns: interface wording, the script-selector choices, example questions and the
per-script words used inside source cards. Keeping them here keeps ``ui.web`` about
layout and ``ui.render`` about escaping.
Does not own: messages about errors (those come from ``rag`` as ``str(error)``).
"""

from __future__ import annotations

__all__ = [
    "TITLE", "SUBTITLE", "TAB_CHAT", "TAB_LIBRARY", "INPUT_LABEL", "INPUT_PLACEHOLDER", "SEND", "CLEAR",
    "SCRIPT_LABEL", "SCRIPT_CHOICES", "AUTO", "EXAMPLES_LABEL", "EXAMPLES", "SEARCHING", "ERROR_PREFIX", "INTERNAL_ERROR", "CARD_WORDS", "ABSTAINED_BADGE",
    "NO_SOURCES", "REF_LABEL", "EN_NEEDS_LLM", "EN_NEEDS_LLM_LINK", "LLM_DOCS_URL", "SUMMARY_COUNT",
    "SUMMARY_DATES", "SUMMARY_ASK", "SUMMARY_ASK_OWN", "EMPTY_QUESTION", "HISTORY_LABEL", "UNTITLED", "RENAME_LABEL",
    "RENAME", "DELETE_CONVERSATION", "DELETE_CONVERSATION_ASK", "DELETE_CONVERSATION_NONE", "COMMENT_LABEL", "FEEDBACK_THANKS", "FEEDBACK_COMMENTED", "FEEDBACK_FAILED", "LIBRARY_TITLE", "LIBRARY_EMPTY", "LIBRARY_COLUMNS", "UPLOAD_LABEL", "UPLOAD_ADDED",
    "UPLOAD_FAILED", "UPLOAD_TOO_BIG", "UPLOAD_BAD_TYPE", "DELETE_LABEL", "DELETE_BUTTON", "REFRESH",
    "DELETED", "DELETE_NONE", "DELETE_MISSING", "DELETE_GONE", "ALLOWED_SUFFIXES", "LIBRARY_NO_MATCH", "INCOMPLETE",
    "INCOMPLETE_HINT", "READ", "SEARCH_LABEL", "SORT_LABEL", "SORT_CHOICES", "PREV", "NEXT", "PAGE_OF", "REPLACE_ASK", "REPLACE", "KEEP",
    "REPLACE_SKIPPED", "REPLACED", "DELETE_ASK", "DELETE_ASK_FILE", "DELETE_CONFIRM", "CANCEL", "ARTICLE_TITLE", "ARTICLE_MISSING", "ARTICLE_NONE",
    "BACK", "HELP_TITLE", "NOTICE_PREFIX", "FAILED_PREFIX", "UPLOAD_KEPT", "UPLOAD_EMPTY",
    "UPLOAD_PROGRESS", "UPLOAD_PROGRESS_UNIT", "COPIED", "COPY_FAILED",
]

TITLE = "语料问答 / Corpus QA"
SUBTITLE = ("用简体、繁體或英文提问，答案逐句引自新闻语料，并标注来源编号。"
            " · Ask in Simplified or Traditional Chinese or English; every answer quotes the news corpus"
            " with numbered sources.")
TAB_CHAT = "对话 / Chat"
TAB_LIBRARY = "文库 / Library"

INPUT_LABEL = "问题 / Question"
INPUT_PLACEHOLDER = "输入问题，按 Enter 发送；可以追问，例如“它是哪一年成立的？” · Type a question and press Enter; follow-ups work."
SEND = "发送 / Send"
CLEAR = "新对话 / New chat"

AUTO = "auto"
SCRIPT_LABEL = "回答文字 / Answer in"
SCRIPT_CHOICES = [("自动 / Auto", AUTO), ("简体", "zh-Hans"), ("繁體 (台灣)", "zh-Hant"), ("English", "en")]

EXAMPLES_LABEL = "示例问题 / Example questions"
EXAMPLES = [
    "DeepSeek训练V3用了多少块H800？",
    "梁文锋毕业于哪所大学？",
    "梁文鋒畢業於哪所大學？",
    "DeepSeek的V3模型有多少個參數？",
    "How many H800 chips did DeepSeek use to train V3?",
    "Which European country's government blocked DeepSeek over user data privacy concerns?",
]

SEARCHING = "正在检索… / Searching…"
ERROR_PREFIX = "无法回答 / Cannot answer"
# the library and article pages answer nothing: their messages are a note (the user's own action
# left nothing to do) or a failure, never "Cannot answer"
NOTICE_PREFIX = "提示 / Note"
FAILED_PREFIX = "出错 / Error"
INTERNAL_ERROR = ("服务器内部出错，已记录日志；请重试。 · Something went wrong on the server; "
                  "it has been logged. Please try again.")

# Words inside an answer and its cards follow the answer's script, not the interface.
_SCORE_HINT = "retrieval relevance of this passage to the question (higher is closer)"
CARD_WORDS = {
    "zh-Hans": {"link": "原文", "date": "日期", "file": "文件", "cited": "引用段落", "sources": "来源",
                "searched": "检索查询", "copy": "复制", "score": "相关度", "score_hint": _SCORE_HINT, "full": "阅读全文"},
    "zh-Hant": {"link": "原文", "date": "日期", "file": "檔案", "cited": "引用段落", "sources": "來源",
                "searched": "檢索查詢", "copy": "複製", "score": "相關度", "score_hint": _SCORE_HINT,
                "full": "閱讀全文"},
    "en": {"link": "Original article", "date": "Date", "file": "File", "cited": "Cited passages",
           "sources": "Sources", "searched": "Searched for", "copy": "Copy", "score": "Relevance",
           "score_hint": _SCORE_HINT, "full": "Full article"},
}
REF_LABEL = "来源 / Source"
# the Copy button's outcome: a failure replaces the button's text for a few seconds; both are announced
COPIED, COPY_FAILED = "已复制 / Copied", "复制失败 / Copy failed"
# English answers quote Chinese sentences; only a generated answer is written in English.
EN_NEEDS_LLM = "Full English answers need an LLM; without one the cited Chinese sentences are quoted."
EN_NEEDS_LLM_LINK = "How to set one up"
LLM_DOCS_URL = "help"  # the default of DOCS_URL: the app's own page (ui.help)


# {zh}/{en}: the date span bracketed as each language writes it (full-width （…） read as a typo in English)
SUMMARY_COUNT = "文库收录 {n} 篇新闻{zh} · The library holds {n} news {articles}{en}."
SUMMARY_DATES = "{first} – {last}"
SUMMARY_ASK = ("可以问其中的人物、公司、数字和日期；点下面的示例直接提问。 · Ask about the people, companies, "
               "figures and dates they report; click an example below to ask it.")
# a library without the demo articles: the examples (about DeepSeek) would only get "not found"
SUMMARY_ASK_OWN = ("可以问其中的人物、公司、数字和日期。 · Ask about the people, companies, figures and dates "
                   "they report.")
# an empty question is not sent; the hint follows the asker's script (selector, else browser language)
HISTORY_LABEL = "对话记录 / Conversations"
UNTITLED = "未命名 / Untitled"
RENAME_LABEL = "名称 / Name"
RENAME = "重命名 / Rename"
DELETE_CONVERSATION = "删除此对话 / Delete conversation"
DELETE_CONVERSATION_ASK = ("确定删除对话《{title}》？此操作无法撤销。 · Delete the conversation “{title}”? "
                           "This cannot be undone.")
DELETE_CONVERSATION_NONE = "还没有保存的对话可删除。 · There is no saved conversation to delete."
COMMENT_LABEL = "补充说明（可选），按 Enter 提交 · Comment (optional), Enter to send"
FEEDBACK_THANKS = "已记录反馈，谢谢。 · Feedback recorded, thank you."
FEEDBACK_COMMENTED = "已记录说明。 · Comment recorded."
FEEDBACK_FAILED = "反馈未能保存，已记录日志。 · The feedback could not be saved; it has been logged."
EMPTY_QUESTION = {"zh-Hans": "请先输入问题。", "zh-Hant": "請先輸入問題。", "en": "Type a question first."}
ABSTAINED_BADGE = {"zh-Hans": "未找到答案", "zh-Hant": "未找到答案", "en": "No answer found"}
NO_SOURCES = {
    "zh-Hans": "没有段落能回答这个问题，因此没有引用来源。",
    "zh-Hant": "沒有段落能回答這個問題，因此沒有引用來源。",
    "en": "No passage answers this question, so nothing is cited.",
}

LIBRARY_TITLE = "已收录文档 / Indexed documents"
LIBRARY_EMPTY = "文库是空的。 · The library is empty."
LIBRARY_COLUMNS = ("标题 / Title", "日期 / Date", "文件 / File", "添加于 / Added", "片段 / Chunks")
LIBRARY_NO_MATCH = "没有匹配“{search}”的文档。 · No document matches “{search}”."
INCOMPLETE = "未完成 / incomplete"
INCOMPLETE_HINT = ("上次写入未完成，可能缺少部分内容；重新上传或重新导入即可补全。 · The last write did not finish; "
                   "some passages may be missing — upload or ingest it again to complete it.")
READ = "阅读全文 / Read"
SEARCH_LABEL = "搜索标题、文件名或日期（2020-10） / Search titles, file names or dates (2020-10)"
PREV, NEXT = "‹ 上一页 / Previous", "下一页 / Next ›"
SORT_LABEL = "排序 / Sort"
SORT_CHOICES = [("文件名 / File name", "source"), ("发布日期，新的在前 / Published, newest first", "published"),
                ("添加时间，新的在前 / Added, newest first", "added")]
# {documents}/{chunks}: the English noun for that count ("1 document", "2 documents"), see render.english_count
PAGE_OF = "第 {page}/{pages} 页，共 {total} 篇 · Page {page} of {pages} ({total} {documents})"
REPLACE_ASK = ("文库中已有同名文档：{names}。上传将替换它。 · The library already has {names}; "
               "uploading replaces it.")
REPLACE, KEEP = "替换 / Replace", "保留原文档 / Keep the existing one"
REPLACE_SKIPPED = "未上传，保留了原文档。 / Not uploaded; the existing document was kept."
REPLACED = "已替换 / Replaced"
DELETE_ASK = "确定删除《{source}》？此操作无法撤销。 · Delete “{source}”? This cannot be undone."
# subtle: a document read from a folder stays in it: say that ingests skip it from now on
DELETE_ASK_FILE = ("确定删除《{source}》？它的文件仍留在导入的文件夹中，之后导入该文件夹时会跳过它（"
                   "`rag ingest --include-deleted` 可重新加入）。 · Delete “{source}”? Its file stays in the "
                   "ingested folder; later ingests of that folder skip it (`rag ingest --include-deleted` adds "
                   "it back).")
DELETE_CONFIRM, CANCEL = "确认删除 / Yes, delete", "取消 / Cancel"
ARTICLE_TITLE = "全文 / Full article"
ARTICLE_MISSING = "文库中没有这篇文档（可能已被删除）。 · This document is not in the library (deleted?)."
ARTICLE_NONE = ("没有选择文档：请从回答的来源卡片或文库中打开全文。 · No document was chosen: open an article "
                "from an answer's source card or from the library.")
BACK = "← 返回对话 / Back to the chat"
HELP_TITLE = "帮助 / Help"
# subtle: the same list as ingest's loader; upload() re-checks, this only filters the picker.
ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl", ".csv")
UPLOAD_LABEL = "上传文档 / Upload documents"
UPLOAD_ADDED = "已添加 / Added"
UPLOAD_FAILED = "失败 / Failed"
UPLOAD_KEPT = "已保留 / Kept"
UPLOAD_NOTE = "注意 / Note"      # stored, but a field was dropped (a date that is not one)
# shown by Gradio's progress bar as "<desc> … 1200/2600 <unit>" while an upload embeds
UPLOAD_PROGRESS = "正在添加 {name}（第 {i}/{n} 个文件） · Adding {name} (file {i} of {n})"
UPLOAD_PROGRESS_UNIT = "片段 / chunks"
UPLOAD_EMPTY = "文件是空的，没有可添加的正文。 / The file is empty: there is no text to add."
UPLOAD_TOO_BIG = "文件超过 {limit} MB 上限 / The file is larger than the {limit} MB limit (UPLOAD_MAX_MB)."
UPLOAD_BAD_TYPE = "不支持的文件类型 / Unsupported file type; allowed: {allowed}."
DELETE_LABEL = "选择要删除的文档 / Document to delete"
DELETE_BUTTON = "删除 / Delete"
REFRESH = "刷新 / Refresh"
DELETED = "已删除 / Deleted: {source} ({n} {chunks})"
DELETE_NONE = "请先选择一个文档。 / Choose a document first."
DELETE_MISSING = "文库中没有这个文档（可能已被删除）。 / {source} is not in the library (already deleted?)."
DELETE_GONE = "文库中没有这个文档（可能已被删除）。 / The document is not in the library (already deleted?)."
