// What a highlighted code block costs the chat webview (issue 15, VS Code 5), by hand:
//   node benchmarks/bench_highlight.mjs
// A streaming answer's DOM is rebuilt each frame that brings text, so the figure that
// matters is building + laying out a highlighted block against a plain one, in Chromium
// (Debian's, as the editor tests use). Prints milliseconds and their ratios, measured in
// the same run (the machines are noisy): for a 600-line block, and for a block of
// STREAMING_BUDGET characters (src/webview/codeBlocks.ts), the most a streaming answer
// highlights.
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const client = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "vscode-client");
const require = createRequire(path.join(client, "node_modules", "noop.js"));
const { chromium } = require("playwright-core");
const hljs = require("highlight.js/lib/core");
hljs.registerLanguage("python", require("highlight.js/lib/languages/python"));

const BUDGET = 4000;
const big = Array.from({ length: 300 }, (_, i) => `def f${i}(a, b):\n    return a + b * ${i}  # note\n`).join("");
const budget = big.slice(0, BUDGET);
const ROUNDS = 30;

function highlightMs(code) {
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) hljs.highlight(`${code}# ${i}\n`, { language: "python" });
  return (performance.now() - start) / ROUNDS;
}

const browser = await chromium.launch({
  executablePath: process.env.TETHER_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  await page.setContent("<main></main>");
  for (const [name, code] of [["600 lines", big], [`${BUDGET} chars`, budget]]) {
    const html = hljs.highlight(code, { language: "python" }).value;
    const dom = await page.evaluate(({ html, code, rounds }) => {
      const main = document.querySelector("main");
      const time = (fill) => {
        const start = performance.now();
        for (let i = 0; i < rounds; i++) {
          const el = document.createElement("code");
          fill(el);
          main.replaceChildren(el);
          el.getBoundingClientRect(); // force the layout a frame would do
        }
        return (performance.now() - start) / rounds;
      };
      return { highlighted: time((el) => { el.innerHTML = html; }), plain: time((el) => { el.textContent = code; }) };
    }, { html, code, rounds: ROUNDS });
    const cold = highlightMs(code);
    console.log(`${name}: DOM+layout highlighted ${dom.highlighted.toFixed(1)} ms, plain ${dom.plain.toFixed(1)} ms ` +
      `(ratio ${(dom.highlighted / dom.plain).toFixed(1)}); highlight.js ${cold.toFixed(1)} ms ` +
      `(${(cold / dom.plain).toFixed(1)}x the plain DOM)`);
  }
} finally {
  await browser.close();
}
