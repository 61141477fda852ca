/**
 * What a history row says besides its title (issue 15, VS Code 6): five sessions titled
 * "Fix add function" were indistinguishable. The row adds the model, the message count and
 * the time; a session with no messages is marked empty.
 */
import type { SessionSummary } from "../protocol";
import { relativeTime } from "./time";

/** `scripted · 4 msgs · 5 min ago`; `empty · …` for a session nothing was said in. */
export function historyDescription(
  s: Pick<SessionSummary, "messageCount" | "model" | "updatedAt">,
  now: Date = new Date(),
): string {
  const parts: string[] = [];
  if (s.messageCount === 0) parts.push("empty");
  const model = s.model.includes("/") ? s.model.slice(s.model.indexOf("/") + 1) : s.model;
  if (model) parts.push(model);
  if (s.messageCount > 0) parts.push(`${s.messageCount} msg${s.messageCount === 1 ? "" : "s"}`);
  parts.push(relativeTime(s.updatedAt, now));
  return parts.join(" · ");
}

/** True for a session nothing was said in (shown with its own icon). */
export function isEmptySession(s: { messageCount?: number }): boolean {
  return s.messageCount === 0;
}
