# SPDX-License-Identifier: GPL-3.0-or-later
"""The ctypes mirrors of the public C structs (python/deeprelax/_lib.py) against the headers.

A mirror that lags its struct lets the library write past a Python-owned buffer (it once
corrupted the interpreter), so this test reads the truth from two independent places:
  - the field names, in order, from the struct's definition in include/deeprelax/*.h;
  - sizeof and every field's offsetof and size from the C compiler itself, by compiling a probe
    generated from those names against the same headers.
Each mirror must then have the same fields in the same order at the same offsets with the same
sizes, and the same sizeof: a field added, removed, retyped or reordered on one side fails.
Every ctypes Structure in _lib must name its C type (_lib.C_NAMES), so a new mirror is checked too."""
import ctypes
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from deeprelax import _lib

HEADERS = os.path.join(ROOT, "include", "deeprelax")


def _header_text():
    text = ""
    for name in sorted(os.listdir(HEADERS)):
        if name.endswith(".h"):
            with open(os.path.join(HEADERS, name)) as fh:
                text += fh.read() + "\n"
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _struct_fields(text, c_name):
    """The field names of `typedef struct {...} c_name;`, in declaration order."""
    m = re.search(r"typedef\s+struct\s*(?:\w+\s*)?\{([^{}]*)\}\s*%s\s*;" % re.escape(c_name), text)
    assert m, "no definition of %s in include/deeprelax/*.h" % c_name
    names = []
    for decl in m.group(1).split(";"):
        decl = decl.strip()
        if not decl:
            continue
        fnptr = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if fnptr:
            names.append(fnptr.group(1))
            continue
        decl = re.sub(r"\[[^\]]*\]", "", decl)
        for k, part in enumerate(decl.split(",")):
            ident = re.findall(r"\w+", part)
            assert ident and (k or len(ident) >= 2), "cannot read %r in %s" % (decl, c_name)
            names.append(ident[-1])
    return names


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    """{c_name: (sizeof, [(field, offsetof, sizeof field)])} from the compiler."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.fail("no C compiler (cc) to measure the structs with")
    text = _header_text()
    fields = {c: _struct_fields(text, c) for c in set(_lib.C_NAMES.values())}
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "deeprelax/deeprelax.h"',
             "int main(void)", "{"]
    for c, names in sorted(fields.items()):
        lines.append('    printf("%s %%zu\\n", sizeof(%s));' % (c, c))
        for f in names:
            lines.append('    printf("%s.%s %%zu %%zu\\n", offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                         % (c, f, c, f, c, f))
    lines += ["    return 0;", "}"]
    d = tmp_path_factory.mktemp("layout")
    src, exe = d / "probe.c", d / "probe"
    src.write_text("\n".join(lines) + "\n")
    r = subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "include"), "-o", str(exe),
                        str(src)], capture_output=True, text=True)
    assert r.returncode == 0, "the layout probe does not compile:\n" + r.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    layout = {c: [None, []] for c in fields}
    for line in out.split("\n"):
        if not line:
            continue
        key, *nums = line.split()
        if "." in key:
            c, f = key.split(".")
            layout[c][1].append((f, int(nums[0]), int(nums[1])))
        else:
            layout[key][0] = int(nums[0])
    return layout


def _mirrors():
    return sorted((v for v in vars(_lib).values()
                   if isinstance(v, type) and issubclass(v, ctypes.Structure)
                   and v is not ctypes.Structure), key=lambda s: s.__name__)


def test_every_mirror_names_its_c_type():
    unnamed = [s.__name__ for s in _mirrors() if s not in _lib.C_NAMES]
    assert not unnamed, "ctypes structs without a C type in _lib.C_NAMES: %s" % unnamed


@pytest.mark.parametrize("mirror", _mirrors(), ids=lambda s: s.__name__)
def test_mirror_matches_the_c_struct(mirror, c_layout):
    c_name = _lib.C_NAMES[mirror]
    c_size, c_fields = c_layout[c_name]
    # a trailing underscore in Python stands for a C name that is a Python keyword (global)
    py_fields = [(name.rstrip("_"), getattr(mirror, name).offset, getattr(mirror, name).size)
                 for name, *_ in mirror._fields_]
    assert [f for f, _, _ in py_fields] == [f for f, _, _ in c_fields], \
        "%s: fields differ from %s's" % (mirror.__name__, c_name)
    assert py_fields == c_fields, "%s: offsets/sizes differ from %s's" % (mirror.__name__, c_name)
    assert ctypes.sizeof(mirror) == c_size, \
        "%s: sizeof %d, C's %s is %d" % (mirror.__name__, ctypes.sizeof(mirror), c_name, c_size)
