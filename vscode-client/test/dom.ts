/** The webview's renderer in a jsdom document, for tests that check what a user sees. */
import { JSDOM } from "jsdom";

export type RenderModule = typeof import("../src/webview/render");

/** The renderer reads `document` and `window` when it loads, so they are set first. */
export async function loadRenderer(): Promise<RenderModule> {
  const dom = new JSDOM("<!DOCTYPE html><div id=gauge><span id=gauge-fill></span><span id=gauge-text></span></div>");
  Object.assign(globalThis, { document: dom.window.document, window: dom.window });
  return import("../src/webview/render");
}
