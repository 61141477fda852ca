/** The VS Code setting an error's fix names: `openaiBaseUrl` → `tether.openaiBaseUrl`.
 *  Keys live in secret storage (Set API Key), so a key setting shows `tether.provider`. */
export function settingId(setting?: string | null): string {
  if (!setting || /ApiKey$/.test(setting)) return "tether.provider";
  return `tether.${setting}`;
}
