/**
 * What a history row says besides its title (issue 15, VS Code 6): five sessions titled
 * "Fix add function" were indistinguishable. The row adds how the newest turn ended (a
 * failed or stopped session is marked), the first prompt line, the model, the message
 * count, the files the agent's edits touched and the time; a session with no messages is
 * marked empty. Pure, so it is tested without VS Code.
 */
import type { SessionSummary } from "../protocol";
import { relativeTime } from "./time";

type Row = Pick<SessionSummary, "messageCount" | "model" | "updatedAt"> &
  Partial<Pick<SessionSummary, "title" | "firstPrompt" | "fileCount" | "lastTurn">>;

/** The words a row's end is marked by; none for a turn that completed. */
const OUTCOME_WORDS: Partial<Record<NonNullable<SessionSummary["lastTurn"]>, string>> = {
  failed: "failed",
  cancelled: "stopped",
  step_limit: "step limit",
  unfinished: "unfinished",
};

/**
 * `failed · “Fix the add function” · gpt-4.1 · 4 msgs · 3 files · 5 min ago`; the prompt
 * is left out when the title already says it, `empty · …` for a session nothing was said in;
 * the turn history shows unfinished is "running" when the caller knows it runs now.
 */
export function historyDescription(s: Row, now: Date = new Date(), running = false): string {
  const parts: string[] = [];
  if (s.messageCount === 0) parts.push("empty");
  const outcome = running && s.lastTurn === "unfinished" ? "running" : s.lastTurn ? OUTCOME_WORDS[s.lastTurn] : undefined;
  if (outcome) parts.push(outcome);
  const prompt = promptBesidesTitle(s);
  if (prompt) parts.push(`“${prompt}”`);
  const model = s.model.includes("/") ? s.model.slice(s.model.indexOf("/") + 1) : s.model;
  if (model) parts.push(model);
  if (s.messageCount > 0) parts.push(`${s.messageCount} msg${s.messageCount === 1 ? "" : "s"}`);
  if (s.fileCount) parts.push(`${s.fileCount} file${s.fileCount === 1 ? "" : "s"}`);
  parts.push(relativeTime(s.updatedAt, now));
  return parts.join(" · ");
}

/** The first prompt line unless the title is that line (titles are often made from it). */
function promptBesidesTitle(s: Partial<Pick<SessionSummary, "title" | "firstPrompt">>): string {
  const prompt = (s.firstPrompt ?? "").trim();
  const title = (s.title ?? "").trim().replace(/…$/, "");
  if (!prompt || (title && prompt.toLowerCase().startsWith(title.toLowerCase()))) return "";
  return prompt;
}

/** True for a session nothing was said in (shown with its own icon). */
export function isEmptySession(s: { messageCount?: number }): boolean {
  return s.messageCount === 0;
}

/** A codicon and, for a mark, the theme colour it is drawn in. */
export interface RowIcon {
  id: string;
  color?: string;
}

/** Archived first, then how the newest turn ended, then the open session, then empty. */
export function historyIcon(
  s: Partial<Pick<SessionSummary, "archived" | "lastTurn" | "messageCount">>,
  current: boolean,
): RowIcon {
  if (s.archived) return { id: "archive" };
  if (s.lastTurn === "failed") return { id: "error", color: "errorForeground" };
  if (s.lastTurn === "cancelled") return { id: "circle-slash", color: "list.warningForeground" };
  if (s.lastTurn === "step_limit") return { id: "warning", color: "list.warningForeground" };
  if (current) return { id: "comment-discussion" };
  return { id: isEmptySession(s) ? "circle-outline" : "comment" };
}

const TOOLTIP_FILES = 12;

const OUTCOME_SENTENCES: Partial<Record<NonNullable<SessionSummary["lastTurn"]>, string>> = {
  failed: "Last turn failed",
  cancelled: "Last turn was stopped",
  step_limit: "Last turn hit the step limit",
  unfinished: "Last turn has no end in history yet (still running, or its window closed)",
};

/** The tooltip's lines after the title: the first prompt (unless the title is it), the end
 * of a turn that did not complete (with its reason), the files touched, and the counts. */
export function historyTooltip(s: Partial<SessionSummary>): string[] {
  const lines: string[] = [];
  const prompt = promptBesidesTitle(s);
  if (prompt) lines.push(`First prompt: ${prompt}`);
  const sentence = s.lastTurn ? OUTCOME_SENTENCES[s.lastTurn] : undefined;
  if (sentence) lines.push(s.lastTurnReason ? `${sentence}: ${s.lastTurnReason}` : sentence);
  const files = s.filesTouched ?? [];
  const count = s.fileCount ?? files.length;
  if (count > 0) {
    const shown = files.slice(0, TOOLTIP_FILES);
    const more = count > shown.length ? ` and ${count - shown.length} more` : "";
    lines.push(`Files touched (${count}): ${shown.join(", ")}${more}`);
  }
  if (s.updatedAt) {
    const count = s.messageCount ?? 0;
    lines.push(
      `${count} message${count === 1 ? "" : "s"} · ${s.model || "default model"} · updated ${new Date(s.updatedAt).toLocaleString()}`,
    );
  }
  return lines;
}
