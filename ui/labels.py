"""Labels: every fixed string the web chat shows, bilingual (中文 / English).

Owns: interface wording, the script-selector choices, example questions and the
per-script words used inside source cards. Keeping them here keeps ``ui.web`` about
layout and ``ui.render`` about escaping.
Does not own: messages about errors (those come from ``rag`` as ``str(error)``).
"""

from __future__ import annotations

__all__ = [
    "TITLE", "SUBTITLE", "TAB_CHAT", "TAB_LIBRARY", "INPUT_LABEL", "INPUT_PLACEHOLDER", "SEND", "CLEAR",
    "SCRIPT_LABEL", "SCRIPT_CHOICES", "AUTO", "EXAMPLES_LABEL", "EXAMPLES", "SOURCES_TITLE", "SOURCES_EMPTY",
    "QUERY_TITLE", "SEARCHING", "ERROR_PREFIX", "INTERNAL_ERROR", "CARD_WORDS", "ABSTAINED_BADGE",
    "NO_SOURCES", "LIBRARY_TITLE", "LIBRARY_EMPTY", "LIBRARY_COLUMNS", "UPLOAD_LABEL", "UPLOAD_ADDED",
    "UPLOAD_FAILED", "UPLOAD_TOO_BIG", "UPLOAD_BAD_TYPE", "DELETE_LABEL", "DELETE_BUTTON", "REFRESH",
    "DELETED", "DELETE_NONE", "DELETE_MISSING", "ALLOWED_SUFFIXES",
]

TITLE = "语料问答 / Corpus QA"
SUBTITLE = ("用简体、繁體或英文提问，答案逐句引自新闻语料，并标注来源编号。"
            " · Ask in Simplified or Traditional Chinese or English; every answer quotes the news corpus"
            " with numbered sources.")
TAB_CHAT = "对话 / Chat"
TAB_LIBRARY = "文库 / Library"

INPUT_LABEL = "问题 / Question"
INPUT_PLACEHOLDER = "输入问题，按 Enter 发送；可以追问，例如“那V3有多少参数？” · Type a question and press Enter; follow-ups work."
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

SOURCES_TITLE = "来源 / Sources"
SOURCES_EMPTY = "答案引用的段落会显示在这里。 · The passages an answer cites appear here."
QUERY_TITLE = "检索查询 / Searched query"
SEARCHING = "正在检索… / Searching…"
ERROR_PREFIX = "无法回答 / Cannot answer"
INTERNAL_ERROR = ("服务器内部出错，已记录日志；请重试。 · Something went wrong on the server; "
                  "it has been logged. Please try again.")

# Words inside an answer and its cards follow the answer's script, not the interface.
CARD_WORDS = {
    "zh-Hans": {"link": "原文", "date": "日期", "file": "文件", "cited": "引用段落"},
    "zh-Hant": {"link": "原文", "date": "日期", "file": "檔案", "cited": "引用段落"},
    "en": {"link": "Original article", "date": "Date", "file": "File", "cited": "Cited passage"},
}
ABSTAINED_BADGE = {"zh-Hans": "未找到答案", "zh-Hant": "未找到答案", "en": "No answer found"}
NO_SOURCES = {
    "zh-Hans": "没有段落能回答这个问题，因此没有引用来源。",
    "zh-Hant": "沒有段落能回答這個問題，因此沒有引用來源。",
    "en": "No passage answers this question, so nothing is cited.",
}

LIBRARY_TITLE = "已收录文档 / Indexed documents"
LIBRARY_EMPTY = "文库是空的。 · The library is empty."
LIBRARY_COLUMNS = ("标题 / Title", "日期 / Date", "文件 / File", "片段 / Chunks")
# subtle: the same list as ingest's loader; upload() re-checks, this only filters the picker.
ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm")
UPLOAD_LABEL = "上传文档 / Upload documents"
UPLOAD_ADDED = "已添加 / Added"
UPLOAD_FAILED = "失败 / Failed"
UPLOAD_TOO_BIG = "文件超过 {limit} MB 上限 / The file is larger than the {limit} MB limit (UPLOAD_MAX_MB)."
UPLOAD_BAD_TYPE = "不支持的文件类型 / Unsupported file type; allowed: {allowed}."
DELETE_LABEL = "选择要删除的文档 / Document to delete"
DELETE_BUTTON = "删除 / Delete"
REFRESH = "刷新 / Refresh"
DELETED = "已删除 / Deleted: {source} ({chunks} chunks)"
DELETE_NONE = "请先选择一个文档。 / Choose a document first."
DELETE_MISSING = "文库中没有这个文档（可能已被删除）。 / {source} is not in the library (already deleted?)."
