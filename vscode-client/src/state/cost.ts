/** How a cost is shown in the gauges (chat and status bar). */

/** Dollars with enough digits to see a cheap turn move: $0.0042, $1.23. */
export function formatCost(dollars: number): string {
  return dollars >= 1 ? `$${dollars.toFixed(2)}` : `$${dollars.toFixed(4)}`;
}
