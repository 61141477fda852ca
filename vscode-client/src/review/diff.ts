/**
 * Unified diffs of agent edits: parse them, and revert one edit on the current text.
 *
 * Reject in the review flow must undo exactly that edit even when the user or later agent
 * edits moved lines around, so a hunk is located by its content (nearest match to where
 * the diff says it was), not trusted by line number. Pure: no VS Code imports.
 */

export interface Hunk {
  oldStart: number;
  newStart: number;
  /** Lines of the hunk as it was before the edit (context + removed). */
  oldLines: string[];
  /** Lines of the hunk after the edit (context + added). */
  newLines: string[];
}

export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  hunks: Hunk[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export class DiffError extends Error {}

export function parseUnifiedDiff(diff: string): FileDiff {
  const lines = diff.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const result: FileDiff = { oldPath: null, newPath: null, hunks: [] };
  let hunk: Hunk | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of lines) {
    if (hunk === null || (oldLeft === 0 && newLeft === 0)) {
      if (line.startsWith("--- ")) {
        result.oldPath = stripPrefix(line.slice(4));
        continue;
      }
      if (line.startsWith("+++ ")) {
        result.newPath = stripPrefix(line.slice(4));
        continue;
      }
    }
    const header = HUNK_HEADER.exec(line);
    if (header) {
      hunk = {
        oldStart: Number(header[1]),
        newStart: Number(header[3]),
        oldLines: [],
        newLines: [],
      };
      oldLeft = header[2] === undefined ? 1 : Number(header[2]);
      newLeft = header[4] === undefined ? 1 : Number(header[4]);
      result.hunks.push(hunk);
      continue;
    }
    if (hunk === null || line.startsWith("\\")) continue; // preamble, "\ No newline"
    const tag = line[0];
    const body = line.slice(1);
    if (tag === " " || line === "") {
      hunk.oldLines.push(body);
      hunk.newLines.push(body);
      oldLeft--;
      newLeft--;
    } else if (tag === "-") {
      hunk.oldLines.push(body);
      oldLeft--;
    } else if (tag === "+") {
      hunk.newLines.push(body);
      newLeft--;
    } else {
      throw new DiffError(`unexpected line in diff: ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
  if (result.hunks.length === 0) throw new DiffError("the diff has no hunks");
  return result;
}

function stripPrefix(path: string): string | null {
  const clean = path.split("\t")[0].trim();
  if (clean === "/dev/null") return null;
  return clean.replace(/^[ab]\//, "");
}

export type RevertResult = { ok: true; text: string } | { ok: false; message: string };

/** The current text with the edit described by `diff` undone. */
export function revertEdit(current: string, diff: FileDiff): RevertResult {
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const endsWithEol = current.endsWith("\n");
  const lines = current === "" ? [] : current.split(/\r?\n/);
  if (endsWithEol) lines.pop();
  // Last hunk first: reverting it does not move the lines of the earlier ones.
  for (let h = diff.hunks.length - 1; h >= 0; h--) {
    const hunk = diff.hunks[h];
    const at = locate(lines, hunk.newLines, Math.max(0, hunk.newStart - 1));
    if (at < 0) {
      return {
        ok: false,
        message: `the text around line ${hunk.newStart} changed after the edit; revert it by hand`,
      };
    }
    const insertAt = hunk.newLines.length === 0 ? hunk.newStart : at;
    lines.splice(insertAt, hunk.newLines.length, ...hunk.oldLines);
  }
  const text = lines.length ? lines.join(eol) + (endsWithEol ? eol : "") : "";
  return { ok: true, text };
}

/** Index in `lines` where `block` occurs, nearest to `hint`; -1 when absent. */
export function locate(lines: string[], block: string[], hint: number): number {
  if (block.length === 0) return Math.min(hint, lines.length);
  let best = -1;
  let bestDistance = Infinity;
  for (let i = 0; i + block.length <= lines.length; i++) {
    if (!matchesAt(lines, block, i)) continue;
    const distance = Math.abs(i - hint);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

function matchesAt(lines: string[], block: string[], at: number): boolean {
  for (let j = 0; j < block.length; j++) if (lines[at + j] !== block[j]) return false;
  return true;
}

/** The smallest single replacement turning `before` into `after` (offsets in `before`). */
export function minimalReplacement(
  before: string,
  after: string,
): { start: number; end: number; text: string } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}
