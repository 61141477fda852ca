import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { DiffError, minimalReplacement, parseUnifiedDiff, revertEdit } from "../src/review/diff";

const DIFF = [
  "--- a/hello.py",
  "+++ b/hello.py",
  "@@ -1,3 +1,4 @@",
  " def greet(name):",
  '+    """Say hello."""',
  '     return f"hi {name}"',
  " ",
  "@@ -8,2 +9,2 @@",
  " x = 1",
  "-y = 2",
  "+y = 3",
  "",
].join("\n");

const BEFORE =
  'def greet(name):\n    return f"hi {name}"\n\n# 4\n# 5\n# 6\n# 7\nx = 1\ny = 2\n';
const AFTER =
  'def greet(name):\n    """Say hello."""\n    return f"hi {name}"\n\n# 4\n# 5\n# 6\n# 7\nx = 1\ny = 3\n';

describe("parseUnifiedDiff", () => {
  test("reads paths and hunks", () => {
    const diff = parseUnifiedDiff(DIFF);
    assert.equal(diff.oldPath, "hello.py");
    assert.equal(diff.newPath, "hello.py");
    assert.equal(diff.hunks.length, 2);
    assert.equal(diff.hunks[1].oldStart, 8);
    assert.deepEqual(diff.hunks[1].oldLines, ["x = 1", "y = 2"]);
    assert.deepEqual(diff.hunks[1].newLines, ["x = 1", "y = 3"]);
  });

  test("garbage is a clear error, not a wrong revert", () => {
    assert.throws(() => parseUnifiedDiff("not a diff"), DiffError);
    assert.throws(() => parseUnifiedDiff("@@ -1 +1 @@\n?what\n"), /unexpected line/);
  });
});

describe("revertEdit", () => {
  test("restores the text before the edit", () => {
    const result = revertEdit(AFTER, parseUnifiedDiff(DIFF));
    assert.deepEqual(result, { ok: true, text: BEFORE });
  });

  test("finds the hunks after lines moved (user typed above them)", () => {
    const moved = `# new header\n# another\n${AFTER}`;
    const result = revertEdit(moved, parseUnifiedDiff(DIFF));
    assert.deepEqual(result, { ok: true, text: `# new header\n# another\n${BEFORE}` });
  });

  test("keeps other changes the user made elsewhere", () => {
    const edited = AFTER.replace("# 5", "# five");
    const result = revertEdit(edited, parseUnifiedDiff(DIFF));
    assert.deepEqual(result, { ok: true, text: BEFORE.replace("# 5", "# five") });
  });

  test("CRLF documents stay CRLF", () => {
    const result = revertEdit(AFTER.replace(/\n/g, "\r\n"), parseUnifiedDiff(DIFF));
    assert.deepEqual(result, { ok: true, text: BEFORE.replace(/\n/g, "\r\n") });
  });

  test("refuses when the edited lines changed since", () => {
    const changed = AFTER.replace("y = 3", "y = 4");
    const result = revertEdit(changed, parseUnifiedDiff(DIFF));
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /line 9/);
  });

  test("reverting a created file empties it", () => {
    const diff = "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n";
    assert.deepEqual(revertEdit("a\nb\n", parseUnifiedDiff(diff)), { ok: true, text: "" });
  });
});

describe("minimalReplacement", () => {
  test("replaces only the changed middle", () => {
    assert.deepEqual(minimalReplacement("abcXYZdef", "abc123def"), {
      start: 3,
      end: 6,
      text: "123",
    });
    assert.deepEqual(minimalReplacement("same", "same"), { start: 4, end: 4, text: "" });
  });
});
