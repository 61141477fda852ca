/** Relative times for the history view ("5 min ago"), pure so it can be tested. */

const UNITS: [number, string][] = [
  [365 * 24 * 3600, "year"],
  [30 * 24 * 3600, "month"],
  [7 * 24 * 3600, "week"],
  [24 * 3600, "day"],
  [3600, "hour"],
  [60, "min"],
];

export function relativeTime(iso: string, now: Date = new Date()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.round((now.getTime() - then) / 1000);
  if (seconds < 45) return "just now";
  for (const [size, name] of UNITS) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      const unit = name === "min" ? "min" : n === 1 ? name : `${name}s`;
      return `${n} ${unit} ago`;
    }
  }
  return "1 min ago";
}
