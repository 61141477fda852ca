/** Messages between the extension host and the chat webview (both directions). */
import type { ContextResult, Mention, MentionItem, ModelInfo, PermissionOption, ProviderCheckResult } from "../protocol";
import type { ServerState } from "../server/supervisor";
import type { Action, Transcript } from "../state/transcript";

export interface ModelChoice {
  models: ModelInfo[];
  selected: string;
}

export type ToWebview =
  | { type: "snapshot"; transcript: Transcript; models: ModelChoice; server: ServerState }
  | { type: "action"; action: Action }
  | { type: "models"; models: ModelChoice }
  | { type: "server"; state: ServerState }
  | { type: "focus" }
  | { type: "submit" }
  | { type: "prefill"; text: string }
  | { type: "context"; context: ContextResult | null }
  | { type: "mentionItems"; seq: number; items: MentionItem[] }

  | { type: "provider"; check: ProviderCheckResult | null };

/** The fixes an error offers as buttons (chat/fixes.ts runs them). */
export type FixAction = "openSettings" | "setApiKey" | "pickModel" | "showLog";

/** What a code block's buttons do (chat/codeActions.ts). */
export type CodeAction = "copy" | "insert" | "apply";

export type FromWebview =
  | { type: "ready" }
  | { type: "send"; text: string; mentions?: Mention[] }
  | { type: "mentionQuery"; prefix: string; seq: number }
  | { type: "stop" }
  | { type: "continue" }
  | { type: "contextRequest" }
  | { type: "newChat" }
  | { type: "permission"; toolCallId: string; option: PermissionOption; comment?: string }
  | { type: "rewind"; turnId: string }
  | { type: "undoFile"; turnId: string; path: string }
  | { type: "model"; id: string }
  | { type: "openFile"; uri: string }
  | { type: "focusChanged"; focused: boolean }
  | { type: "fix"; action: FixAction; setting?: string | null }
  | { type: "code"; action: CodeAction; text: string; target?: string | null };
