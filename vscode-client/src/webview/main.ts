/**
 * The chat webview's script: applies the same reducer as the extension to the actions
 * it receives, and re-renders only the items whose object changed, at most once a frame.
 */
import type { CodeAction, FixAction, FromWebview, ModelChoice, ToWebview } from "../chat/messages";
import type { ServerState } from "../server/supervisor";
import { emptyTranscript, reduce, type Transcript } from "../state/transcript";
import { breakdownLines } from "../state/breakdown";
import { MentionPopup } from "./mentions";
import { renderGauge, renderItem, setGaugeDetail } from "./render";
import { renderProviderState } from "./fixes";

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const transcriptEl = $<HTMLElement>("transcript");
const emptyEl = $<HTMLElement>("empty");
const promptEl = $<HTMLTextAreaElement>("prompt");
const sendEl = $<HTMLButtonElement>("send");
const stopEl = $<HTMLButtonElement>("stop");
const newEl = $<HTMLButtonElement>("new");
const modelEl = $<HTMLSelectElement>("model");
const statusEl = $<HTMLElement>("status");
const bannerEl = $<HTMLElement>("server-banner");
const mentions = new MentionPopup(promptEl, $<HTMLElement>("mentions"), (prefix, seq) =>
  post({ type: "mentionQuery", prefix, seq }),
);
const providerEl = $<HTMLElement>("provider-state");
let providerSetting: string | null = null;

let state: Transcript = emptyTranscript();
let rendered = new Map<string, { item: unknown; node: HTMLElement }>();
let frame = 0;
/** Follow new output unless the user scrolled up to read; scrolling back down re-sticks. */
let stickToBottom = true;

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function render(): void {
  const next = new Map<string, { item: unknown; node: HTMLElement }>();
  let previous: Element | null = null;
  for (const item of state.items) {
    const old = rendered.get(item.key);
    let node: HTMLElement;
    if (old && old.item === item) {
      node = old.node;
    } else {
      node = renderItem(item, handlers);
      if (old) {
        // Keep a tool's or the reasoning's open/closed state across re-renders.
        const wasOpen = old.node.matches("details") && (old.node as HTMLDetailsElement).open;
        if (wasOpen && node.matches("details")) (node as HTMLDetailsElement).open = true;
        const oldReasoning = old.node.querySelector("details.reasoning") as HTMLDetailsElement;
        const newReasoning = node.querySelector("details.reasoning") as HTMLDetailsElement;
        if (oldReasoning && newReasoning) newReasoning.open = oldReasoning.open;
        old.node.replaceWith(node);
      }
    }
    const expectedPrev: Element | null = previous;
    if (node.previousElementSibling !== expectedPrev || node.parentElement !== transcriptEl) {
      if (expectedPrev) expectedPrev.after(node);
      else transcriptEl.prepend(node);
    }
    next.set(item.key, { item, node });
    previous = node;
  }
  for (const [key, entry] of rendered) if (!next.has(key)) entry.node.remove();
  rendered = next;
  emptyEl.hidden = state.items.length > 0;
  renderGauge(state.gauge);
  stopEl.disabled = !state.running;
  sendEl.textContent = state.running ? "Steer" : "Send";
  promptEl.placeholder = state.running
    ? "Add to the running turn (Enter), or Stop"
    : "Ask Tether (Enter to send, Shift+Enter for a new line)";
  statusEl.textContent = state.running ? "Working…" : state.title;
  document.body.classList.toggle("running", state.running);
  if (stickToBottom) transcriptEl.scrollTop = transcriptEl.scrollHeight;
}

const handlers = {
  permission(toolCallId: string, option: "allow_once" | "allow_always" | "reject", comment?: string) {
    post({ type: "permission", toolCallId, option, comment });
  },
  rewind(turnId: string) {
    post({ type: "rewind", turnId });
  },
  undoFile(turnId: string, path: string) {
    post({ type: "undoFile", turnId, path });
  },
  openFile(uri: string) {
    post({ type: "openFile", uri });
  },
  continueTurn() {
    stickToBottom = true;
    post({ type: "continue" });
  },
  fix(action: FixAction, setting?: string | null) {
    // An error card has no setting of its own: the provider check names the one to fix.
    post({ type: "fix", action, setting: setting ?? providerSetting });
  },
  code(action: CodeAction, text: string, target?: string | null) {
    post({ type: "code", action, text, target: target ?? null });
  },
};

function setModels(choice: ModelChoice): void {
  modelEl.replaceChildren();
  const ids = choice.models.map((m) => m.id);
  if (choice.selected && !ids.includes(choice.selected)) ids.unshift(choice.selected);
  for (const id of ids) {
    const option = document.createElement("option");
    option.value = id;
    option.textContent = id;
    option.selected = id === choice.selected;
    modelEl.append(option);
  }
  modelEl.disabled = ids.length === 0;
}

function setServer(server: ServerState): void {
  const text: Record<ServerState, string> = {
    starting: "Starting the Tether server…",
    restarting: "The Tether server stopped; restarting…",
    stopped: "The Tether server is stopped.",
    failed: "The Tether server is not running. See the “Tether” output, then run “Tether: Restart Server”.",
    running: "",
  };
  bannerEl.textContent = text[server];
  bannerEl.hidden = server === "running";
}

function submit(): void {
  const text = promptEl.value;
  if (!text.trim()) return;
  stickToBottom = true;
  post({ type: "send", text, mentions: mentions.take(text) });
  promptEl.value = "";
}

window.addEventListener("message", (e: MessageEvent<ToWebview>) => {
  const msg = e.data;
  switch (msg.type) {
    case "snapshot":
      state = msg.transcript;
      setGaugeDetail(null);
      for (const entry of rendered.values()) entry.node.remove();
      rendered = new Map();
      setModels(msg.models);
      setServer(msg.server);
      schedule();
      break;
    case "action":
      state = reduce(state, msg.action);
      schedule();
      break;
    case "models":
      setModels(msg.models);
      break;
    case "server":
      setServer(msg.state);
      break;
    case "focus":
      promptEl.focus();
      break;
    case "submit":
      submit();
      break;
    case "context":
      setGaugeDetail(msg.context ? breakdownLines(msg.context) : null);
      break;
    case "mentionItems":
      mentions.show(msg.seq, msg.items);
      break;
    case "provider":
      providerSetting = msg.check?.state === "ok" ? null : (msg.check?.setting ?? null);
      renderProviderState(providerEl, msg.check, handlers.fix);
      break;
    case "prefill":
      promptEl.value = msg.text;
      promptEl.focus();
      promptEl.setSelectionRange(msg.text.length, msg.text.length);
      break;
  }
});

window.addEventListener("focus", () => post({ type: "focusChanged", focused: true }));
window.addEventListener("blur", () => post({ type: "focusChanged", focused: false }));

// The chat's own shortcuts, handled here too: key events inside a webview do not always
// reach VS Code's keybinding service.
document.addEventListener("keydown", (e) => {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.shiftKey) return;
  if (!e.altKey && e.code === "KeyL") {
    // Ctrl/Cmd+L: new chat, as in other editor chats.
    e.preventDefault();
    post({ type: "newChat" });
  } else if (e.altKey && e.code === "KeyX" && state.running) {
    e.preventDefault();
    post({ type: "stop" });
  }
});

promptEl.addEventListener("input", () => mentions.update());
promptEl.addEventListener("blur", () => mentions.close());
promptEl.addEventListener("keydown", (e) => {
  if (mentions.key(e)) return;
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  } else if (e.key === "Escape" && state.running) {
    e.preventDefault();
    post({ type: "stop" });
  }
});
transcriptEl.addEventListener("scroll", () => {
  stickToBottom =
    transcriptEl.scrollHeight - transcriptEl.scrollTop - transcriptEl.clientHeight < 40;
});
// Hovering the gauge asks the server what the next request would hold.
$<HTMLElement>("gauge").addEventListener("mouseenter", () => post({ type: "contextRequest" }));
sendEl.addEventListener("click", submit);
stopEl.addEventListener("click", () => post({ type: "stop" }));
newEl.addEventListener("click", () => post({ type: "newChat" }));
modelEl.addEventListener("change", () => post({ type: "model", id: modelEl.value }));

post({ type: "ready" });
