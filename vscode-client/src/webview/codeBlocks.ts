/**
 * Actions on the code blocks of an answer (issue 15, VS Code 5): a bar over each block
 * with its language, **Copy** and **Insert at Cursor** (into the editor last used). The
 * extension host does the work (chat/codeActions.ts): the clipboard and the editor are
 * not the webview's to touch.
 */
import type { CodeAction } from "../chat/messages";

export type RunCodeAction = (action: CodeAction, text: string) => void;

/** The fence's language, from markdown-it's `language-xyz` class ("" when none). */
export function languageOf(code: Element): string {
  const cls = [...code.classList].find((c) => c.startsWith("language-"));
  return cls ? cls.slice("language-".length) : "";
}

/** Put a bar over every `pre > code` in `body`. */
export function decorateCodeBlocks(body: HTMLElement, run: RunCodeAction): void {
  for (const code of body.querySelectorAll("pre > code")) {
    const pre = code.parentElement as HTMLElement;
    const bar = document.createElement("div");
    bar.className = "code-bar";
    const lang = document.createElement("span");
    lang.className = "code-lang";
    lang.textContent = languageOf(code);
    bar.append(lang);
    const buttons: [CodeAction, string][] = [
      ["copy", "Copy"],
      ["insert", "Insert at Cursor"],
    ];
    for (const [action, label] of buttons) {
      const button = document.createElement("button");
      button.className = "secondary";
      button.dataset.codeAction = action;
      button.textContent = label;
      button.addEventListener("click", () => run(action, code.textContent ?? ""));
      bar.append(button);
    }
    pre.before(bar);
  }
}
