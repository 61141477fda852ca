/**
 * Syntax highlighting of the chat's code blocks (issue 15, VS Code 5).
 *
 * highlight.js core with the languages people paste most, bundled into the webview by
 * esbuild: nothing is fetched at run time, and the CSP stays strict (highlight.js emits
 * class names, never inline styles). Colours come from the theme's variables
 * (style.css, `.hljs-*`), so light, dark and high-contrast themes apply as they change.
 * An unknown language (or a huge block) stays plain, escaped text. Each (language, code) pair is
 * highlighted once and cached, so re-rendering a streaming answer costs a map look-up
 * per finished block.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import lua from "highlight.js/lib/languages/lua";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

// Each language brings its aliases (py, ts, rs, sh, yml, toml via ini, html via xml, ...).
const LANGUAGES = {
  bash, c, cpp, css, diff, go, ini, java, javascript, json, lua, markdown, python, rust,
  shell, sql, typescript, xml, yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

const CACHE_SIZE = 200;
/** Blocks longer than this stay plain: highlighting runs on the webview's only thread
 *  (about 1 ms per 1,000 characters, benchmarks/bench_highlight.mjs), and a pasted log
 *  must not freeze the chat. */
export const MAX_HIGHLIGHT_CHARS = 100_000;
const cache = new Map<string, string>();

/** The highlighted HTML of `code` in `language`, or null when the language is unknown. */
export function highlighted(code: string, language: string): string | null {
  const lang = language.toLowerCase();
  if (!lang || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(lang)) return null;
  const key = `${lang}\u0000${code}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, html);
  }
  return html;
}

/** Highlight one `<code>` element in place (its text is kept, token spans added). */
export function highlightElement(code: Element, language: string): boolean {
  const html = highlighted(code.textContent ?? "", language);
  if (html === null) return false;
  code.innerHTML = html; // highlight.js escapes every piece of the text it emits
  code.classList.add("hljs");
  return true;
}
