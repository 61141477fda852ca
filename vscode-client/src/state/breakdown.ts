/**
 * The context breakdown (`tether/session/context`) as the lines of the gauge's hover:
 * what the next request holds, section by section, and why something is not whole.
 */
import type { ContextResult } from "../protocol";

const SECTION_LABELS: Record<ContextResult["sections"][number]["name"], string> = {
  system: "System",
  tools: "Tools",
  rules: "Project rules",
  pins: "Pinned",
  summary: "Summary",
  messages: "Messages",
};

export function tokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function breakdownLines(ctx: ContextResult): string[] {
  const lines = [
    `Next request: ${tokens(ctx.totalTokens)} of ${tokens(ctx.budgetTokens)} budget ` +
      `(window ${tokens(ctx.contextWindow)}, policy ${ctx.policy})`,
  ];
  for (const section of ctx.sections) {
    if (!section.tokens && !section.items.length) continue;
    let detail = "";
    if (section.name === "rules" || section.name === "pins") {
      detail = section.items.map((i) => i.label).join(", ");
    } else if (section.name === "summary") {
      detail = `stands in for ${ctx.summarizedMessages} older messages`;
    } else if (section.name === "messages") {
      const notes: string[] = [`${section.items.filter((i) => i.state !== "dropped").length} sent`];
      if (ctx.stubbedOutputs) notes.push(`${ctx.stubbedOutputs} old tool outputs stubbed`);
      if (ctx.droppedMessages) notes.push(`${ctx.droppedMessages} left out to fit`);
      detail = notes.join(", ");
    }
    lines.push(`${SECTION_LABELS[section.name]}: ${tokens(section.tokens)}${detail ? ` (${detail})` : ""}`);
  }
  if (ctx.canContinue) lines.push("The last turn stopped at the step limit: Continue resumes it.");
  return lines;
}
