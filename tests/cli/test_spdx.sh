#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file carries the licence line (scripts/spdx.sh), so a new file without it fails
# here; and the checker itself notices a file that lacks the line.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

if "$SRC/scripts/spdx.sh" >"$TMP/out" 2>&1; then pass "every source file has its SPDX line"
else fail "every source file has its SPDX line" "$(head -3 "$TMP/out" | tr '\n' ' ')"; fi

# a copy of the checker in a folder (not a git checkout) with one C file with and one without
mkdir -p "$TMP/tree/scripts" "$TMP/tree/solver"
cp "$SRC/scripts/spdx.sh" "$TMP/tree/scripts/"
printf '/* SPDX-License-Identifier: GPL-3.0-or-later */\nint a;\n' >"$TMP/tree/solver/good.c"
printf '#!/bin/sh\necho hi\n' >"$TMP/tree/solver/bad.sh"
(cd "$TMP/tree" && GIT_DIR=/nonexistent scripts/spdx.sh) >"$TMP/out" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q 'bad.sh' "$TMP/out" && ! grep -q 'good.c' "$TMP/out"; then
    pass "the checker names the file without the line"
else fail "the checker names the file without the line" "exit $rc: $(cat "$TMP/out")"; fi
(cd "$TMP/tree" && GIT_DIR=/nonexistent scripts/spdx.sh --add) >/dev/null 2>&1
if [ "$(sed -n 2p "$TMP/tree/solver/bad.sh")" = "# SPDX-License-Identifier: GPL-3.0-or-later" ] &&
   [ "$(sed -n 3p "$TMP/tree/solver/bad.sh")" = "echo hi" ] &&
   (cd "$TMP/tree" && GIT_DIR=/nonexistent scripts/spdx.sh) >/dev/null 2>&1; then
    pass "--add puts the line after the #! line"
else fail "--add puts the line after the #! line" "$(head -3 "$TMP/tree/solver/bad.sh" | tr '\n' '|')"; fi
