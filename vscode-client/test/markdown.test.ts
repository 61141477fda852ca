import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { closeOpenFence, renderMarkdown } from "../src/state/markdown";

describe("renderMarkdown", () => {
  test("renders common markdown", () => {
    const html = renderMarkdown("# Title\n\n**bold** and `code`\n\n- a\n- b\n");
    assert.match(html, /<h1>Title<\/h1>/);
    assert.match(html, /<strong>bold<\/strong>/);
    assert.match(html, /<code>code<\/code>/);
    assert.match(html, /<li>a<\/li>/);
  });

  test("escapes raw HTML from the model", () => {
    const html = renderMarkdown('<script>alert(1)</script><img src=x onerror="alert(2)">');
    assert.doesNotMatch(html, /<script|<img/);
    assert.match(html, /&lt;script&gt;/);
  });

  test("drops javascript: links and does not load images", () => {
    const html = renderMarkdown("[x](javascript:alert(1)) ![pic](https://evil.example/a.png)");
    assert.doesNotMatch(html, /href="javascript:/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /<a href="https:\/\/evil.example\/a.png">pic<\/a>/);
  });

  test("a streaming code fence renders as code before it closes", () => {
    assert.equal(closeOpenFence("```py\nx = 1"), "```py\nx = 1\n```\n");
    assert.match(renderMarkdown("text\n```py\nx = <1>"), /<pre><code class="language-py">x = &lt;1&gt;/);
    assert.equal(closeOpenFence("```\na\n```\n"), "```\na\n```\n");
  });
});
