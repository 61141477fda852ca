/**
 * `@` completion in the chat input: what follows an `@` before the caret is sent to the
 * extension (`tether/mention/complete`), the items show in a list above the input, and the
 * chosen one is inserted as `@path ` and kept as a structured mention for the prompt.
 */
import type { Mention, MentionItem } from "../protocol";

/** The `@token` that ends at `caret`, or null (an `@` inside a word, e.g. mail, is not one). */
export function mentionAt(text: string, caret: number): { start: number; prefix: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s(])@([\w./\-]*)$/.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, prefix: match[2] };
}

export class MentionPopup {
  private items: MentionItem[] = [];
  private active = 0;
  private seq = 0;
  private token: { start: number; prefix: string } | null = null;
  /** Mentions chosen since the last send. */
  chosen: Mention[] = [];

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly list: HTMLElement,
    private readonly query: (prefix: string, seq: number) => void,
  ) {}

  get open(): boolean {
    return !this.list.hidden;
  }

  /** After each edit of the input: ask for items when the caret ends an `@token`. */
  update(): void {
    this.token = mentionAt(this.input.value, this.input.selectionStart ?? this.input.value.length);
    if (!this.token) return this.close();
    this.query(this.token.prefix, ++this.seq);
  }

  /** The extension's answer; stale answers (an older seq) are dropped. */
  show(seq: number, items: MentionItem[]): void {
    if (seq !== this.seq || !this.token) return;
    this.items = items;
    this.active = 0;
    this.render();
  }

  /** Arrow keys, Enter/Tab and Escape while the list is open; true when handled. */
  key(e: KeyboardEvent): boolean {
    if (!this.open) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const step = e.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.render();
    } else if (e.key === "Enter" || e.key === "Tab") {
      this.pick(this.active);
    } else if (e.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }

  /** The chosen mentions still named in `text`; then forget them. */
  take(text: string): Mention[] {
    const kept = this.chosen.filter((m) => !!m.name && text.includes(m.name));
    this.chosen = [];
    this.close();
    return kept;
  }

  close(): void {
    this.list.hidden = true;
    this.items = [];
  }

  private pick(index: number): void {
    const item = this.items[index];
    if (!item || !this.token) return;
    const value = this.input.value;
    const end = this.token.start + 1 + this.token.prefix.length;
    const inserted = `@${item.insert} `;
    this.input.value = value.slice(0, this.token.start) + inserted + value.slice(end);
    const caret = this.token.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.chosen.push({ ...item.mention, name: `@${item.insert}` });
    this.close();
    this.input.focus();
  }

  private render(): void {
    this.list.replaceChildren();
    if (!this.items.length) return this.close();
    this.items.forEach((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = `mention ${item.mention.kind}${i === this.active ? " active" : ""}`;
      li.setAttribute("aria-selected", String(i === this.active));
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = item.label;
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = item.detail ?? "";
      li.append(label, detail);
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        this.pick(i);
      });
      this.list.append(li);
    });
    this.list.hidden = false;
  }
}
