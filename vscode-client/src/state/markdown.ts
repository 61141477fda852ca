/**
 * Markdown → HTML for the chat webview, safe for model output.
 *
 * Raw HTML in the markdown is escaped (markdown-it `html: false`), link targets are
 * limited to http(s), mailto and file URIs, and images are shown as links: the model's
 * text must never run script or load remote content inside the webview.
 */
import MarkdownIt from "markdown-it";

const SAFE_LINK = /^(https?:|mailto:|file:|#)/i;

const md = new MarkdownIt({ html: false, linkify: false, breaks: false, typographer: false });

md.validateLink = (url: string): boolean => SAFE_LINK.test(url.trim());

md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = token.attrGet("src") ?? "";
  const alt = md.utils.escapeHtml(token.content || src);
  return `<a href="${md.utils.escapeHtml(src)}">${alt}</a>`;
};

const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("title", tokens[idx].attrGet("href") ?? "");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// A fence's whole info string (`python src/app.py`) rides on its <code> as data-info when
// it has more than the language: the class keeps only the first word, and "Apply to File"
// reads the file it names.
const defaultFence =
  md.renderer.rules.fence ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));

md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const info = tokens[idx].info.trim();
  if (/\s/.test(info)) tokens[idx].attrSet("data-info", info);
  return defaultFence(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return md.render(closeOpenFence(text));
}

/**
 * While a message streams, an unterminated ``` fence would swallow everything after it
 * on every re-render; close it so partial code shows as code.
 */
export function closeOpenFence(text: string): string {
  const marker = openFence(text);
  return marker ? `${text}${text.endsWith("\n") ? "" : "\n"}${marker}\n` : text;
}

/** The marker of a fence the text opened and has not closed yet (its last block), or "". */
export function openFence(text: string): string {
  const fences = text.match(/^\s{0,3}(```|~~~)/gm);
  return fences && fences.length % 2 === 1 ? fences[fences.length - 1].trim() : "";
}

export function escapeHtml(text: string): string {
  return md.utils.escapeHtml(text);
}
