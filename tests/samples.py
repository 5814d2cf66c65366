"""Builders for test files in the formats the loader reads (a text PDF by hand, .docx via python-docx)."""

from __future__ import annotations

import io


def text_pdf(*pages: str, title: str | None = None) -> bytes:
    """A minimal valid PDF whose pages show ``pages`` (ASCII) in Helvetica; "" gives a page with no text layer.

    subtle: pypdf cannot lay out text, so the file is written by hand, xref offsets included.
    """
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        n = len(objects) + 1
        kids.append(f"{n} 0 R")
        lines = [t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for t in text.splitlines()]
        ops = "".join(f"BT /F1 11 Tf 40 {760 - 16 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {n + 1} 0 R "
                       "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        objects.append(f"<< /Length {len(ops.encode())} >>\nstream\n{ops}endstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    info = None
    if title:
        objects.append(f"<< /Title ({title}) >>")
        info = len(objects)
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "") + " >>"
    out.write(f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx_bytes(title: str, *paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
