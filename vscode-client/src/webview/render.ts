/** DOM for one transcript item. Model text goes through the safe markdown renderer only. */
import type { CodeAction, FixAction } from "../chat/messages";
import type { PermissionOption } from "../protocol";
import { formatCost } from "../state/cost";
import { openFence, renderMarkdown } from "../state/markdown";
import { tokens } from "../state/breakdown";
import type {
  AssistantItem,
  CompactionItem,
  EditInfo,
  Gauge,
  Item,
  PermissionItem,
  ToolItem,
  TurnEndItem,
} from "../state/transcript";
import { decorateCodeBlocks, highlightCodeBlocks } from "./codeBlocks";
import { fixButtons } from "./fixes";
import { countsLabel, extraArguments, outputBlock, shownOutput } from "./toolCard";

export interface Handlers {
  permission(toolCallId: string, option: PermissionOption, comment?: string): void;
  openFile(uri: string): void;
  continueTurn?(): void;
  rewind(turnId: string): void;
  undoFile(turnId: string, path: string): void;
  fix?(action: FixAction, setting?: string | null): void;
  code?(action: CodeAction, text: string, target?: string | null): void;
}

const OPTION_LABELS: Record<PermissionOption, string> = {
  allow_once: "Allow once",
  allow_always: "Allow always",
  reject: "Reject",
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function renderItem(item: Item, handlers: Handlers): HTMLElement {
  switch (item.kind) {
    case "user": {
      const node = el("div", "msg user");
      node.append(el("div", "role", item.steer ? "You (steer)" : "You"), el("div", "body plain", item.text));
      if (item.attachments?.length) {
        const chips = el("div", "attachments");
        for (const label of item.attachments) chips.append(el("span", "attachment", label));
        node.append(chips);
      }
      return node;
    }
    case "assistant":
      return renderAssistant(item, handlers);
    case "tool":
      return renderTool(item, handlers);
    case "permission":
      return renderPermission(item, handlers);
    case "notice": {
      const node = el("div", `notice ${item.level}`, item.text);
      node.setAttribute("role", item.level === "error" ? "alert" : "status");
      if (item.fixes && handlers.fix) node.append(fixButtons(handlers.fix.bind(handlers)));
      return node;
    }
    case "turnEnd":
      return renderTurnEnd(item, handlers);
    case "compaction":
      return renderCompaction(item);
  }
}

function renderCompaction(item: CompactionItem): HTMLElement {
  const node = el("div", `compaction ${item.status}`);
  node.dataset.status = item.status;
  node.setAttribute("role", "status");
  if (item.status === "running") {
    node.textContent = `Summarising older context (${tokens(item.tokensBefore)} tokens)…`;
  } else if (item.status === "done") {
    node.textContent =
      `Context compacted: ${tokens(item.tokensBefore)} → ${tokens(item.tokensAfter ?? 0)} tokens` +
      (item.summarizedMessages ? ` (${item.summarizedMessages} messages summarised)` : "");
  } else {
    node.textContent = `Compaction failed: ${item.reason}`;
  }
  return node;
}

function renderAssistant(item: AssistantItem, handlers: Handlers): HTMLElement {
  const node = el("div", "msg assistant");
  node.dataset.messageId = item.messageId;
  node.classList.toggle("streaming", item.streaming);
  node.append(el("div", "role", "Tether"));
  if (item.reasoning) {
    const details = el("details", "reasoning");
    details.append(el("summary", undefined, "Reasoning"), el("pre", undefined, item.reasoning));
    node.append(details);
  }
  const body = el("div", "body markdown");
  body.innerHTML = renderMarkdown(item.text);
  highlightCodeBlocks(body, item.streaming, item.streaming && openFence(item.text) !== "");
  if (handlers.code && !item.streaming) decorateCodeBlocks(body, handlers.code.bind(handlers));
  if (item.interrupted) body.append(el("div", "interrupted", "(interrupted)"));
  node.append(body);
  return node;
}

function toolSummary(item: ToolItem): string {
  const args = item.arguments;
  for (const key of ["path", "command", "query", "pattern", "uri"]) {
    const value = args[key];
    if (typeof value === "string" && value) return value.length > 80 ? `${value.slice(0, 77)}…` : value;
  }
  return "";
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderTool(item: ToolItem, handlers: Handlers): HTMLElement {
  const node = el("details", "tool");
  node.dataset.status = item.status;
  node.dataset.toolCallId = item.toolCallId;
  const summary = el("summary");
  const icon = item.status === "running" ? "⟳" : item.status === "done" ? "✓" : "✗";
  summary.append(
    el("span", "tool-icon", icon),
    el("span", "tool-name", item.name),
    el("span", typeof item.arguments.path === "string" ? "tool-arg file-chip" : "tool-arg", toolSummary(item)),
  );
  const time =
    item.durationMs !== null
      ? duration(item.durationMs)
      : item.elapsedMs !== null
        ? `${duration(item.elapsedMs)}…`
        : "";
  summary.append(el("span", "tool-time", time));
  const counts = countsLabel(item);
  if (counts) summary.querySelector(".tool-arg")?.after(el("span", "tool-counts", counts));
  node.append(summary);
  const args = extraArguments(item);
  if (args) node.append(el("pre", "tool-args", JSON.stringify(args, null, 2)));
  const output = shownOutput(item);
  if (output) {
    node.append(...outputBlock(output));
    if (item.truncated) node.append(el("div", "muted", "(output truncated)"));
  }
  for (const edit of item.edits) node.append(renderEdit(edit, handlers));
  return node;
}

function renderEdit(edit: EditInfo, handlers: Handlers): HTMLElement {
  const node = el("div", `edit ${edit.applied ? "applied" : "refused"}`);
  const link = el("a", "edit-file", basename(edit.uri));
  link.href = "#";
  link.title = edit.uri;
  link.addEventListener("click", (e) => {
    e.preventDefault();
    handlers.openFile(edit.uri);
  });
  const hunks = edit.hunkIds ?? [];
  const undone = edit.undoneHunks ?? [];
  const allUndone = edit.applied && hunks.length > 0 && hunks.every((h) => undone.includes(h));
  const state = !edit.applied
    ? "not applied"
    : allUndone
      ? "undone"
      : undone.length
        ? "edited (partly undone)"
        : edit.rebased
          ? "edited (rebased on your changes)"
          : "edited";
  node.classList.toggle("undone", allUndone);
  const { added, removed } = countLines(edit.diff);
  node.append(link, el("span", "edit-state", ` ${state}`), el("span", "edit-counts", ` +${added} −${removed}`));
  const turnId = edit.turnId;
  const path = edit.path;
  if (edit.applied && !allUndone && turnId && path) {
    // One row per file of the change set: Keep leaves it, Undo takes the turn's change back.
    const actions = el("span", "edit-actions");
    const keep = el("button", "secondary edit-keep", "Keep");
    keep.addEventListener("click", () => actions.remove());
    const undo = el("button", "secondary edit-undo", "Undo");
    undo.addEventListener("click", () => handlers.undoFile(turnId, path));
    actions.append(keep, undo);
    node.append(actions);
  }
  if (edit.message) node.append(el("div", "edit-message", edit.message));
  node.append(renderDiff(edit.diff));
  return node;
}

function countLines(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+") && !line.startsWith("+++")) added++;
    else if (line.startsWith("-") && !line.startsWith("---")) removed++;
  }
  return { added, removed };
}

function renderDiff(diff: string): HTMLElement {
  const pre = el("pre", "diff");
  for (const line of diff.split("\n")) {
    if (line.startsWith("---") || line.startsWith("+++")) continue;
    const cls = line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "ctx";
    pre.append(el("span", cls, `${line}\n`));
  }
  return pre;
}

function renderPermission(item: PermissionItem, handlers: Handlers): HTMLElement {
  const node = el("div", "permission");
  node.dataset.state = item.state;
  node.dataset.toolCallId = item.toolCallId;
  node.append(el("div", "permission-title", `Allow ${item.tool}?`), el("div", "permission-desc", item.description));
  if (item.diff) node.append(renderDiff(item.diff));
  if (item.state === "pending" && item.awaitingAnswer) {
    // A proposed edit may be rejected with a reason: the model reads it.
    const comment = item.diff ? el("textarea", "permission-comment") : null;
    if (comment) {
      comment.placeholder = "Why not? (optional, sent with Reject)";
      comment.rows = 2;
      node.append(comment);
    }
    const buttons = el("div", "permission-actions");
    for (const option of item.options) {
      const label = item.diff && option === "allow_once" ? "Accept" : OPTION_LABELS[option];
      const button = el("button", option === "reject" ? "secondary" : "", label);
      button.dataset.option = option;
      button.addEventListener("click", () => {
        const said = option === "reject" && comment ? comment.value.trim() : "";
        handlers.permission(item.toolCallId, option, said || undefined);
      });
      buttons.append(button);
    }
    node.append(buttons);
  } else if (item.state !== "pending") {
    const text =
      item.state === "expired" ? "No answer: the turn ended." : `Answered: ${OPTION_LABELS[item.state]}`;
    node.append(el("div", "permission-answer", text));
  } else {
    node.append(el("div", "permission-answer", "Waiting…"));
  }
  return node;
}

function renderTurnEnd(item: TurnEndItem, handlers: Handlers): HTMLElement {
  const labels = { completed: "", cancelled: "Stopped", failed: "Failed", step_limit: "Step limit reached" };
  const node = el("div", `turn-end ${item.status}`);
  node.dataset.status = item.status;
  const label = labels[item.status];
  if (item.shownAbove) {
    node.hidden = true; // the error card above says it
    return node;
  }
  if (label) node.append(el("span", "turn-end-label", item.reason && item.status !== "cancelled" ? `${label}: ${item.reason}` : label));
  if (item.canContinue && handlers.continueTurn) {
    const button = el("button", "continue", "Continue");
    button.title = "Resume the task from where the step limit stopped it";
    button.addEventListener("click", () => handlers.continueTurn?.());
    node.append(" ", button);
  }
  const turnId = item.turnId;
  if (turnId) {
    // Restores the files this turn and the later ones touched; the model forgets them.
    const rewind = el("button", "secondary turn-rewind", "Rewind to here");
    rewind.title = "Undo this turn and every later one: files and conversation";
    rewind.dataset.turnId = turnId;
    rewind.addEventListener("click", () => handlers.rewind(turnId));
    node.append(rewind);
  }
  return node;
}

/** The gauge's hover: the server's context breakdown, once fetched (see main.ts). */
export function setGaugeDetail(lines: string[] | null): void {
  const wrap = document.getElementById("gauge");
  if (!wrap) return;
  if (lines?.length) {
    wrap.title = lines.join("\n");
    wrap.dataset.breakdown = "1";
  } else {
    delete wrap.dataset.breakdown;
  }
}

export function renderGauge(gauge: Gauge): void {
  const fill = document.getElementById("gauge-fill");
  const text = document.getElementById("gauge-text");
  const wrap = document.getElementById("gauge");
  if (!fill || !text || !wrap) return;
  const cost = gauge.sessionCost === null ? "" : ` · ${formatCost(gauge.sessionCost)}`;
  if (!gauge.contextWindow) {
    wrap.hidden = gauge.totalTokens === 0;
    fill.style.width = "0%";
    text.textContent = gauge.totalTokens ? `${compact(gauge.totalTokens)} tokens${cost}` : "";
    return;
  }
  wrap.hidden = false;
  const pct = Math.min(100, Math.round((100 * gauge.contextTokens) / gauge.contextWindow));
  fill.style.width = `${pct}%`;
  fill.className = pct > 85 ? "high" : pct > 60 ? "mid" : "";
  text.textContent = `${compact(gauge.contextTokens)} / ${compact(gauge.contextWindow)}${cost}`;
  if (!wrap.dataset.breakdown) {
    wrap.title = `Context: ${gauge.contextTokens.toLocaleString()} of ${gauge.contextWindow.toLocaleString()} tokens · session total ${gauge.totalTokens.toLocaleString()}${cost ? ` · cost ${formatCost(gauge.sessionCost ?? 0)}` : ""}`;
  }
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

function basename(uri: string): string {
  const path = decodeURIComponent(uri.replace(/^file:\/\//, ""));
  return path.split("/").pop() || path;
}
