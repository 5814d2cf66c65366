"""Citations: from retrieved chunk ``Document``s to numbered ``Citation``s in the asker's script.

Owns: the display text of a passage and of its sentences for each script (zh-Hant via
the configured OpenCC config, English readers see the original), numbering [n] by
order of first use, and the abstention messages. Shared by every answerer.
Does not own: choosing what to cite.
"""

from __future__ import annotations

from langchain_core.documents import Document

from ingest import split_sentences, to_script, written_in
from rag.types import Citation

__all__ = ["ABSTAIN", "SMALL_TALK", "EN_NEEDS_LLM", "display", "display_sentences", "make_citation", "shown_title"]

ABSTAIN = {
    "zh-Hans": "语料中没有找到这个问题的答案。",
    "zh-Hant": "語料中沒有找到這個問題的答案。",
    "en": "The corpus does not say. No passage in the indexed documents answers this question.",
}
# what a turn judged small talk (rag.answer.chitchat) gets instead: why nothing is quoted
SMALL_TALK = {
    "zh-Hans": "这句话像是闲聊，不是关于语料的问题：我只回答已收录的文档中写到的内容。",
    "zh-Hant": "這句話像是閒聊，不是關於語料的問題：我只回答已收錄的文件中寫到的內容。",
    "en": "That reads as small talk, not a question about the corpus: I answer only what the indexed documents say.",
}
# the one line an English reader of an extractive answer gets (CLI, Python API; the chat adds a link)
EN_NEEDS_LLM = ("Full English answers need an LLM: set LLM_BASE_URL and LLM_MODEL (see .env.example); "
                "without one, the answer quotes the Chinese sentences and glosses the short answer.")


def display(text: str, script: str, hant_config: str = "s2twp") -> str:
    return to_script(text, script, hant_config)


def shown_title(title: str | None, source_script: str | None, script: str, hant_config: str = "s2twp") -> str | None:
    """A title in the reader's script; as written when it already is in it.

    subtle: judged on the title itself, not its text: an export's 繁體 row may carry a 简体
    title (东芝), which a 繁體 reader should get as 東芝; and a title that reads the same in
    both scripts (台北) takes its text's script, so it is not sent through s2twp (臺北).
    """
    if not title or script == "en" or written_in(title, source_script or script) == script:
        return title
    return display(title, script, hant_config)


def _verbatim(doc: Document, script: str) -> bool:
    """English readers, and readers of the script the source was written in, see it as written.

    subtle: decided per chunk, not per sentence — a short 繁體 sentence with no script-specific
    character would otherwise count as 简体 and come back through s2twp (支持→支援).
    """
    return script == "en" or doc.metadata.get("script") == script


def display_sentences(doc: Document, script: str, hant_config: str = "s2twp") -> list[tuple[str, str]]:
    """(canonical sentence, sentence as shown to this reader) for every sentence of a chunk."""
    canonical = split_sentences(doc.page_content)
    if _verbatim(doc, script):
        original = split_sentences(doc.metadata.get("original", doc.page_content))
        # subtle: OpenCC never changes punctuation, so both splits align; if a future
        # config did, fall back to converting the canonical sentence.
        if len(original) == len(canonical):
            return list(zip(canonical, original))
    source = doc.metadata.get("original", doc.page_content) if script == "zh-Hans" else doc.page_content
    shown = split_sentences(source)
    if len(shown) != len(canonical):
        shown = canonical
    return [(c, display(s, script, hant_config)) for c, s in zip(canonical, shown)]


def make_citation(n: int, doc: Document, script: str, highlights: list[str], score: float,
                  hant_config: str = "s2twp") -> Citation:
    m = doc.metadata
    original = m.get("original", doc.page_content)
    shown = (lambda text: text) if _verbatim(doc, script) else (lambda text: display(text, script, hant_config))
    return Citation(
        n=n,
        source=m["source"],
        title=shown_title(m.get("title"), m.get("script"), script, hant_config),
        url=m.get("url"),
        published=m.get("published"),
        text=shown(original),
        score=round(float(score), 4),
        highlights=highlights,
        doc_id=m.get("doc_id"),
    )
