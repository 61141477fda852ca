/** Search hits for display: pure, so it is tested without VS Code. */
import type { SessionSearchHit } from "../protocol";

/** The search snippet with its matches in «»: a tree item label has no formatting. */
export function markedSnippet(hit: SessionSearchHit): string {
  let out = "";
  let at = 0;
  for (const [start, end] of hit.highlights ?? []) {
    out += `${hit.snippet.slice(at, start)}«${hit.snippet.slice(start, end)}»`;
    at = end;
  }
  return out + hit.snippet.slice(at);
}
