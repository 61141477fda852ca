/**
 * The code blocks of an answer (issue 15, VS Code 5): syntax highlighting (highlight.ts)
 * and a bar over each block with its language, **Copy**, **Insert at Cursor** (into the
 * editor last used) and **Apply to File** (through the server's edit path). The extension
 * host does the work (chat/codeActions.ts): the clipboard, the editors and the server are
 * not the webview's to touch. Apply names the file the block names, when it names one (in
 * its info string, or the line before it); the host falls back to the active editor.
 */
import type { CodeAction } from "../chat/messages";
import { highlightElement } from "./highlight";

export type RunCodeAction = (action: CodeAction, text: string, target?: string | null) => void;

/** The fence's first word, from markdown-it's `language-xyz` class ("" when none). */
function fenceWord(code: Element): string {
  const cls = [...code.classList].find((c) => c.startsWith("language-"));
  return cls ? cls.slice("language-".length) : "";
}

/** The fence's language (`py` of `py:src/a.py`; "" when none, or only a path). */
export function languageOf(code: Element): string {
  const word = fenceWord(code).split(":")[0];
  return word.includes("/") ? "" : word;
}

/**
 * Characters of finished code a streaming answer highlights at most. Its whole DOM is
 * rebuilt on every frame that brings text, and highlighted code costs about ten times
 * plain code to build and lay out (benchmarks/bench_highlight.mjs); blocks past the
 * budget are highlighted once the answer ends.
 */
export const STREAMING_BUDGET = 4000;

/** Highlight the `pre > code` blocks of `body`; while `streaming`, not the block still
 *  being written (`lastStillOpen`) nor those past STREAMING_BUDGET. */
export function highlightCodeBlocks(body: HTMLElement, streaming = false, lastStillOpen = false): void {
  const blocks = [...body.querySelectorAll("pre > code")];
  if (lastStillOpen) blocks.pop();
  let budget = streaming ? STREAMING_BUDGET : Infinity;
  for (const code of blocks) {
    budget -= code.textContent?.length ?? 0;
    if (budget < 0) return;
    highlightElement(code, languageOf(code));
  }
}

// Source file names the model writes beside a block; a bare `os.path` is no file.
const EXTENSIONS = new Set(
  ("py pyi ts tsx js jsx mjs cjs rs go java kt kts scala c h cc cpp cxx hpp hh cs m mm swift " +
    "rb php pl lua sh bash zsh fish ps1 json jsonc yaml yml toml ini cfg conf md rst txt html " +
    "htm css scss sass less vue svelte sql graphql proto xml gradle cmake mk diff patch tf nix " +
    "ex exs erl hs ml dart r jl zig vim el clj").split(" "),
);
const BARE_NAMES = new Set(["Makefile", "Dockerfile", "Justfile", "Rakefile", "Gemfile", "CMakeLists.txt"]);
const PATH_CHARS = /^(?:\.{0,2}\/)?(?:[\w.@+-]+\/)*[\w.@+-]+$/;

/** `word` when it looks like a file path (`src/app.py`, `Makefile`), else null. */
export function filePath(word: string): string | null {
  const path = word.replace(/^[`'"(*]+|[`'"),:;*]+$/g, "");
  if (!PATH_CHARS.test(path)) return null;
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (BARE_NAMES.has(name)) return path;
  return dot > 0 && EXTENSIONS.has(name.slice(dot + 1).toLowerCase()) ? path : null;
}

/** The file a fence's info string names: `py src/a.py`, `py:src/a.py`, `file=src/a.py`. */
function infoTarget(info: string): string | null {
  const words = info.split(/\s+/).filter(Boolean);
  const [first = "", ...rest] = words;
  const colon = first.indexOf(":");
  if (colon > 0 && filePath(first.slice(colon + 1))) return filePath(first.slice(colon + 1));
  for (const word of rest) {
    const named = /^(?:file|path|title|filename)=(.+)$/i.exec(word);
    const found = filePath(named ? named[1] : word);
    if (found) return found;
  }
  return first.includes("/") ? filePath(first) : null;
}

/** The file the paragraph just before a block names (`In \`src/a.py\`:`), if any. */
function leadTarget(pre: Element): string | null {
  const lead = pre.previousElementSibling;
  if (!lead || !/^(P|H[1-6])$/.test(lead.tagName)) return null;
  const quoted = [...lead.querySelectorAll("code, strong")].map((n) => filePath(n.textContent ?? ""));
  const named = quoted.filter((p): p is string => p !== null);
  if (named.length) return named[named.length - 1];
  const words = (lead.textContent ?? "").trim().split(/\s+/);
  return words.length ? filePath(words[words.length - 1]) : null;
}

/** The file a block names for Apply to File, or null (the host uses the active editor). */
export function blockTarget(code: Element): string | null {
  return infoTarget(code.getAttribute("data-info") ?? fenceWord(code)) ??
    (code.parentElement ? leadTarget(code.parentElement) : null);
}

/** Put a bar over every `pre > code` in `body`. */
export function decorateCodeBlocks(body: HTMLElement, run: RunCodeAction): void {
  for (const code of body.querySelectorAll("pre > code")) {
    const pre = code.parentElement as HTMLElement;
    const target = blockTarget(code);
    const bar = document.createElement("div");
    bar.className = "code-bar";
    const lang = document.createElement("span");
    lang.className = "code-lang";
    lang.textContent = [languageOf(code), target].filter(Boolean).join(" · ");
    bar.append(lang);
    const buttons: [CodeAction, string][] = [
      ["copy", "Copy"],
      ["insert", "Insert at Cursor"],
      ["apply", "Apply to File"],
    ];
    for (const [action, label] of buttons) {
      const button = document.createElement("button");
      button.className = "secondary";
      button.dataset.codeAction = action;
      button.textContent = label;
      if (action === "apply") button.title = target ? `Apply to ${target}` : "Apply to the active editor's file";
      button.addEventListener("click", () => {
        if (action === "apply") run(action, code.textContent ?? "", target);
        else run(action, code.textContent ?? "");
      });
      bar.append(button);
    }
    pre.before(bar);
  }
}
