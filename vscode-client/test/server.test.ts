import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";

import {
  CommandLineError,
  expandHome,
  findExecutable,
  isModuleMissing,
  missingServerMessage,
  splitCommandLine,
} from "../src/server/command";
import { serverSettings } from "../src/server/settings";
import { relativeTime } from "../src/state/time";

describe("splitCommandLine", () => {
  test("splits words and honours quotes", () => {
    assert.deepEqual(splitCommandLine("python3 -m tether serve"), [
      "python3",
      "-m",
      "tether",
      "serve",
    ]);
    assert.deepEqual(splitCommandLine(`"/opt/my env/bin/python" -m 'tether' serve`), [
      "/opt/my env/bin/python",
      "-m",
      "tether",
      "serve",
    ]);
    assert.deepEqual(splitCommandLine("a\\ b ''"), ["a b", ""]);
  });

  test("empty or unbalanced commands are clear errors", () => {
    assert.throws(() => splitCommandLine("   "), CommandLineError);
    assert.throws(() => splitCommandLine('python "-m'), /unbalanced/);
  });
});

describe("findExecutable", () => {
  test("looks names up on PATH and checks explicit paths", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tether-exe-"));
    const exe = path.join(dir, "fakepython");
    fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "notexec"), "", { mode: 0o644 });
    assert.equal(findExecutable("fakepython", `/nonexistent${path.delimiter}${dir}`), exe);
    assert.equal(findExecutable(exe, ""), exe);
    assert.equal(findExecutable("notexec", dir), null);
    assert.equal(findExecutable("definitely-not-here", dir), null);
    assert.equal(findExecutable("./fakepython", "", dir), exe);
    assert.equal(expandHome("~/venv/bin/python", "/home/u"), "/home/u/venv/bin/python");
    assert.equal(expandHome("~other/x", "/home/u"), "~other/x");
  });

  test("the message says how to fix it", () => {
    const msg = missingServerMessage("python3 -m tether serve", "python3 was not found");
    assert.match(msg, /pip install tether/);
    assert.match(msg, /tether\.server\.command/);
    assert.ok(isModuleMissing("/usr/bin/python3: No module named tether"));
    assert.ok(!isModuleMissing("Traceback: something else"));
  });
});

describe("serverSettings", () => {
  test("sends only what the user set, most specific scope first", () => {
    const values: Record<string, object> = {
      provider: { globalValue: "openai", workspaceValue: "anthropic" },
      model: { globalValue: "" },
      maxSteps: { workspaceFolderValue: 7, globalValue: 3 },
      autoApprove: { globalValue: false },
      openaiBaseUrl: {},
    };
    assert.deepEqual(serverSettings((key) => values[key]), {
      provider: "anthropic",
      maxSteps: 7,
      autoApprove: false,
    });
  });
});

describe("relativeTime", () => {
  const now = new Date("2026-01-10T12:00:00Z");
  test("reads like a human", () => {
    assert.equal(relativeTime("2026-01-10T11:59:50Z", now), "just now");
    assert.equal(relativeTime("2026-01-10T11:55:00Z", now), "5 min ago");
    assert.equal(relativeTime("2026-01-10T10:00:00Z", now), "2 hours ago");
    assert.equal(relativeTime("2026-01-09T11:00:00Z", now), "1 day ago");
    assert.equal(relativeTime("garbage", now), "");
  });
});

import { Backoff } from "../src/server/backoff";

describe("Backoff", () => {
  const policy = { initialMs: 100, maxMs: 1000, healthyMs: 10_000, maxCrashes: 5 };

  test("doubles up to the cap, then gives up", () => {
    const b = new Backoff(policy);
    b.started(1);
    const delays = [1, 2, 3, 4, 5, 6].map((t) => b.crashed(t));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, null]);
  });

  test("a healthy run resets the count", () => {
    const b = new Backoff(policy);
    b.started(1);
    b.crashed(2);
    b.crashed(3);
    b.started(4);
    assert.equal(b.crashed(4 + 20_000), 100);
  });
});
