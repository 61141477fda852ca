-- generated — do not edit: python -m tether.protocol.generate
-- Source of truth: server/tether/protocol/*.py (pydantic models).

---@alias tether.PermissionOption "allow_once"|"allow_always"|"reject"
---@alias tether.Role "system"|"user"|"assistant"|"tool"
---@alias tether.TurnStatus "completed"|"cancelled"|"failed"|"step_limit"

--- The answer of `tether/session/cancel`.
---@class tether.CancelResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field cancelled boolean True when a running turn was cancelled.

--- Old messages were left out of the request to fit the window.
---@class tether.ContextTruncated
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "context_truncated" Always `context_truncated`.
---@field droppedMessages integer Oldest messages left out of the request.
---@field estimatedTokens integer Estimated request tokens after dropping.
---@field contextWindow integer The model's window.

--- Params of `tether/session/create`.
---@class tether.CreateSessionParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder the session belongs to.
---@field title? string|nil Initial title.
---@field model? string|nil Model selector `provider/model`.

--- A new session (from create or fork).
---@class tether.CreateSessionResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The new session's id.
---@field session? tether.SessionInfo|nil The header as stored.

--- Params of methods that take none.
---@class tether.EmptyParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.

--- Something went wrong; `fatal` errors end the turn (a `turn_failed` follows).
---@class tether.ErrorEvent
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "error" Always `error`.
---@field message string What went wrong, for the user.
---@field code? integer|nil Error code from protocol-spec.md, if any.
---@field fatal boolean True when the turn ends because of it.

--- Fields every session event carries.
---@class tether.EventBase
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).

--- Params of `tether/session/export`.
---@class tether.ExportParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field format? "markdown"|"json" Export format.

--- The exported session.
---@class tether.ExportResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field content string The exported text.

--- An agent edit to a file, with its unified diff, applied or not.
---@class tether.FileEdited
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "file_edited" Always `file_edited`.
---@field toolCallId string The edit tool call.
---@field uri string file:// URI of the edited file.
---@field diff string Unified diff of the edit as proposed.
---@field applied boolean Whether the edit reached the buffer / file.
---@field rebased boolean Applied after a 3-way rebase on newer text.
---@field message? string|nil Why it was not applied, when it was not.

--- A file (or part of one) attached to a message.
---@class tether.FilePart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "file" Always `file`.
---@field uri string file:// URI of an attached file.
---@field text? string|nil The file's text as attached (may be a range).
---@field rangeStartLine? integer|nil First attached line (0-based).
---@field rangeEndLine? integer|nil Last attached line (0-based).

--- Params of `tether/session/fork`.
---@class tether.ForkParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session to copy.
---@field messageId? string|nil Copy up to and including this message.

--- An image attached to a message.
---@class tether.ImagePart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "image" Always `image`.
---@field mediaType string MIME type, e.g. image/png.
---@field data? string|nil Base64 image bytes.
---@field uri? string|nil Where the image lives, when not inlined.

--- One search result.
---@class tether.IndexSearchHit
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field path string Path relative to the folder.
---@field uri string file:// URI.
---@field score number Higher is better.
---@field line? integer|nil 0-based line of the hit, if any.
---@field symbol? string|nil Symbol name, for symbol hits.
---@field preview? string|nil The line's text.

--- Params of `tether/index/search`.
---@class tether.IndexSearchParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.
---@field query string Search text.
---@field limit? integer Maximum results.

--- The answer of `tether/index/search`.
---@class tether.IndexSearchResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field results tether.IndexSearchHit[] Best first.

--- Params of `tether/index/status`.
---@class tether.IndexStatusParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.

--- The state of a folder's workspace index.
---@class tether.IndexStatusResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field state "idle"|"indexing"|"ready"|"failed" Index state.
---@field files integer Files indexed.
---@field symbols integer Symbols indexed.
---@field lastUpdate? string|nil ISO time of the last update.
---@field message? string|nil Failure reason, when failed.

--- Params of `tether/session/list`.
---@class tether.ListSessionsParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.
---@field limit? integer Page size.
---@field cursor? string|nil From a previous `nextCursor`.
---@field query? string|nil Filter on title (case-insensitive).

--- A page of a folder's sessions.
---@class tether.ListSessionsResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessions tether.SessionSummary[] Newest first.
---@field nextCursor? string|nil Pass back for the next page.

--- Params of `tether/session/load`.
---@class tether.LoadSessionParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field tail? integer|nil Only the last N messages (default 1000).

--- A session's header and transcript.
---@class tether.LoadSessionResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field session tether.SessionInfo The header, title and usage folded in.
---@field messages tether.Message[] Messages, oldest first.
---@field truncated boolean True when older messages were left out.
---@field lastSeq integer The last durable seq; replay from here.

--- One message of the conversation, as stored in history.
---@class tether.Message
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Message id (UUID4 hex).
---@field role tether.Role Who speaks.
---@field parts tether.Part[] Ordered content parts.
---@field createdAt string When it was added.
---@field turnId? string|nil The turn that produced it.
---@field interrupted boolean Cut short by a cancel; the text is partial and must not be redone.

--- A complete message was appended to the history (user, assistant or tool).
---@class tether.MessageAdded
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "message_added" Always `message_added`.
---@field message tether.Message A complete message appended to the history.

--- A model Tether can reach.
---@class tether.ModelInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Model selector `provider/model`.
---@field provider string Provider name.
---@field name string Model name at the provider.
---@field contextWindow integer Window in tokens, when known.

--- The answer of `tether/models/list`.
---@class tether.ModelsListResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field models tether.ModelInfo[] Models Tether knows how to reach.
---@field default string The configured default selector.

--- The answer of methods that only succeed or fail.
---@class tether.OkResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field ok boolean Always true; errors are JSON-RPC errors.

---@alias tether.Part tether.TextPart|tether.ImagePart|tether.FilePart|tether.ToolCallPart|tether.ToolResultPart|tether.ThinkingPart

--- Params of the server → client request `tether/permission/request`.
---@class tether.PermissionRequestParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field toolCallId string The tool call waiting.
---@field tool string Tool name.
---@field description string What the call will do.
---@field diff? string|nil The change, for edits.
---@field options tether.PermissionOption[] What the user may answer.

--- The client's answer to `tether/permission/request`.
---@class tether.PermissionRequestResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field option tether.PermissionOption The user's answer.

--- A tool call waits for the user's permission.
---@class tether.PermissionRequested
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "permission_requested" Always `permission_requested`.
---@field toolCallId string The tool call waiting for permission.
---@field tool string Tool name.
---@field description string What the call will do, in a sentence.
---@field diff? string|nil The change, for edits.
---@field options tether.PermissionOption[] What the user may answer.

--- The user (or a rule) answered a permission request.
---@class tether.PermissionResolved
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "permission_resolved" Always `permission_resolved`.
---@field toolCallId string The tool call.
---@field option tether.PermissionOption What was chosen.

--- A position in a text document, as LSP counts it.
---@class tether.Position
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field line integer 0-based line.
---@field character integer 0-based UTF-16 column, as LSP.

--- What the editor shows the user, attached to a prompt.
---@class tether.PromptContext
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field activeFileUri? string|nil The editor's active file.
---@field selection? tether.Range|nil The selection in the active file.
---@field extraFileUris? string[] More files to attach.

--- Params of `tether/session/prompt`.
---@class tether.PromptParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field text string The user's message.
---@field context? tether.PromptContext|nil Editor context to attach.

--- The answer of `tether/provider/check`: can the configured provider be reached now? Editors ask when the chat opens, so a wrong address or key shows before the first prompt.
---@class tether.ProviderCheckResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field provider string Provider kind: openai, anthropic, ollama, replay.
---@field model string Model selector `provider/model` of new sessions.
---@field label string Who answers, named by what it is: "OpenAI", "the OpenAI-compatible server at http://127.0.0.1:8765/v1", "Ollama at …".
---@field state "ok"|"unreachable"|"unauthorized"|"failed" ok, unreachable (nothing answers), unauthorized (key missing or rejected), failed (answers with an error).
---@field message string One short sentence for the user.
---@field fix? string|nil What to do about it, when not ok.
---@field setting? string|nil The setting (camelCase, as in `workspace/configuration`) that fixes it, if one does.

--- A range in a text document, as LSP counts it.
---@class tether.Range
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field start tether.Position Start, inclusive.
---@field end tether.Position End, exclusive.

--- A piece of the model's reasoning as it streams (coalesced, see below).
---@class tether.ReasoningDelta
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "reasoning_delta" Always `reasoning_delta`.
---@field messageId string The assistant message being streamed.
---@field text string Reasoning text to append.

--- Params of `tether/session/rename`.
---@class tether.RenameParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field title string The new title.

--- Params of `tether/session/replay`.
---@class tether.ReplayParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field fromSeq? integer Re-send durable events with seq > fromSeq.

--- The answer of `tether/session/replay`, sent after the replayed events.
---@class tether.ReplayResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field count integer Events re-sent as `tether/session/event`.
---@field lastSeq integer The last seq sent.

---@alias tether.SessionEvent tether.TurnStarted|tether.MessageAdded|tether.TextDelta|tether.ReasoningDelta|tether.TextComplete|tether.ToolCallStarted|tether.ToolOutputChunk|tether.ToolHeartbeat|tether.ToolCallCompleted|tether.FileEdited|tether.PermissionRequested|tether.PermissionResolved|tether.UsageUpdated|tether.StreamRetry|tether.ContextTruncated|tether.ErrorEvent|tether.TitleChanged|tether.TurnCompleted|tether.TurnCancelled|tether.TurnFailed|tether.StepLimitReached

--- Params of the `tether/session/event` notification.
---@class tether.SessionEventNotification
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field turnId? string|nil The turn, if any.
---@field seq integer The event's seq.
---@field event tether.SessionEvent The event itself.

--- Params of methods that only name a session.
---@class tether.SessionIdParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.

--- The header of a session: what it is, not what was said.
---@class tether.SessionInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Session id (UUID4).
---@field title string Short title; empty until the first turn ends.
---@field createdAt string Creation time (UTC).
---@field updatedAt string Last durable record time.
---@field workspaceFolder string Canonical absolute path of the folder.
---@field model string Model selector `provider/model`.
---@field agent string Agent name.
---@field usage tether.Usage Usage totals over all turns.
---@field metadata table<string, any> Free-form metadata.
---@field forkedFrom? string|nil Parent session id for a fork.

--- A listing row: enough for a history view without reading the whole file.
---@class tether.SessionSummary
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Session id.
---@field title string Title.
---@field createdAt string Creation time (UTC).
---@field updatedAt string Last update (UTC).
---@field messageCount integer Messages in the history.
---@field model string Model selector.
---@field workspaceFolder string Canonical folder path.

--- Params of `tether/session/steer`.
---@class tether.SteerParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field text string Input joining the running turn at its next step.

--- The answer of `tether/session/steer`.
---@class tether.SteerResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field queued boolean True when queued into a running turn.

--- Terminal: the turn hit the step limit (`maxSteps` model calls).
---@class tether.StepLimitReached
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "step_limit_reached" Always `step_limit_reached`.
---@field reason string A readable reason.
---@field steps integer Steps taken.

--- A model request or stream failed transiently and is retried.
---@class tether.StreamRetry
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "stream_retry" Always `stream_retry`.
---@field attempt integer 1 for the first retry.
---@field reason string Why the request or stream is retried.
---@field delaySeconds number Wait before the retry.

--- Under `capabilities.experimental.tether` in the client's initialize params.
---@class tether.TetherClientCapabilities
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field permissions? boolean Client answers `tether/permission/request`.

--- Under `capabilities.experimental.tether` in the initialize result.
---@class tether.TetherServerCapabilities
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field protocolVersion string Tether protocol version.
---@field serverVersion string Tether server version.
---@field methods string[] Custom methods served.

--- An assistant message finished streaming; carries its full text.
---@class tether.TextComplete
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "text_complete" Always `text_complete`.
---@field messageId string The assistant message that finished streaming.
---@field text string Its full text.

--- A piece of the assistant's answer as it streams (coalesced, see below).
---@class tether.TextDelta
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "text_delta" Always `text_delta`.
---@field messageId string The assistant message being streamed.
---@field text string Text to append.

--- Text of a message.
---@class tether.TextPart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "text" Always `text`.
---@field text string Plain or markdown text.

--- The model's reasoning, kept with the message.
---@class tether.ThinkingPart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "thinking" Always `thinking`.
---@field text string The model's reasoning, as streamed.
---@field signature? string|nil Provider signature (Anthropic).

--- The session's title changed (set after the first turn, or renamed).
---@class tether.TitleChanged
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "title_changed" Always `title_changed`.
---@field title string The new title.

--- A tool call ended: succeeded, failed, was refused or cancelled.
---@class tether.ToolCallCompleted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "tool_call_completed" Always `tool_call_completed`.
---@field toolCallId string Tool call id.
---@field name string Tool name.
---@field success boolean False for errors, refusals and cancels.
---@field durationMs integer Wall time of the call.
---@field output string Output, capped for display.
---@field truncated boolean True when `output` was capped.

--- A tool call the model made.
---@class tether.ToolCallPart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "tool_call" Always `tool_call`.
---@field id string Provider-assigned tool call id.
---@field name string Tool name.
---@field arguments table<string, any> Parsed arguments.
---@field rawArguments? string|nil The argument text as streamed, kept when it was not valid JSON.

--- The model called a tool; it starts now (after any permission).
---@class tether.ToolCallStarted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "tool_call_started" Always `tool_call_started`.
---@field toolCallId string Tool call id.
---@field name string Tool name.
---@field arguments table<string, any> Arguments.

--- A long tool call is still running.
---@class tether.ToolHeartbeat
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "tool_heartbeat" Always `tool_heartbeat`.
---@field toolCallId string Tool call id still running.
---@field elapsedMs integer Time since the call started.

--- Output a running tool produced (e.g. a command's stdout).
---@class tether.ToolOutputChunk
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "tool_output_chunk" Always `tool_output_chunk`.
---@field toolCallId string Tool call id.
---@field text string Output produced since the last chunk.

--- What a tool call returned, sent back to the model.
---@class tether.ToolResultPart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "tool_result" Always `tool_result`.
---@field toolCallId string The tool call this answers.
---@field content string What the tool returned to the model.
---@field isError boolean True when the call failed or was refused.

--- A finished tool call, for display.
---@class tether.ToolUse
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Tool call id.
---@field name string Tool name.
---@field input? table<string, any> Arguments.
---@field output? string Output (capped for display).
---@field success boolean Whether the tool succeeded.
---@field durationMs integer Wall time of the call.

--- Terminal: the turn was cancelled; partial work is kept, marked interrupted.
---@class tether.TurnCancelled
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_cancelled" Always `turn_cancelled`.
---@field reason string Who or what cancelled.

--- Terminal: the model finished its answer.
---@class tether.TurnCompleted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_completed" Always `turn_completed`.
---@field reason string Why the model stopped.
---@field text string The final answer text.

--- Terminal: the turn failed (provider error, bug); `reason` says why.
---@class tether.TurnFailed
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_failed" Always `turn_failed`.
---@field reason string A readable reason.
---@field code? integer|nil Error code from protocol-spec.md, if any.

--- How a turn ended; the answer of `tether/session/prompt`.
---@class tether.TurnResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field turnId string The turn that ended.
---@field status tether.TurnStatus How it ended.
---@field text string The final answer text.
---@field usage tether.Usage Usage of this turn.
---@field reason string Why it ended (for non-completed turns).

--- A turn began: the user's prompt was accepted.
---@class tether.TurnStarted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_started" Always `turn_started`.
---@field prompt string The user's text that started the turn.
---@field model string Model selector used for the turn.

--- Token counts; zero where a provider does not report a figure.
---@class tether.Usage
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field promptTokens integer Input tokens of the request(s).
---@field completionTokens integer Output tokens generated.
---@field totalTokens integer prompt + completion as the provider counted.
---@field cacheReadTokens integer Prompt tokens served from a provider cache.
---@field cacheWriteTokens integer Prompt tokens written to a provider cache.

--- Token usage after a model call, and how full the context is.
---@class tether.UsageUpdated
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "usage" Always `usage`.
---@field usage tether.Usage Usage of the step just finished.
---@field total tether.Usage Session totals after this step.
---@field contextTokens integer Estimated tokens of the last request.
---@field contextWindow integer The model's context window, when known.

--- A protocol message or record. Unknown fields are ignored (older servers must read newer clients' messages); `_meta` is the extension point, as in the Agent Client Protocol.
---@class tether.WireModel
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.

local M = {}

M.PROTOCOL_VERSION = "1.0"

--- Custom method names.
M.methods = {
  session_create = "tether/session/create",
  session_prompt = "tether/session/prompt",
  session_cancel = "tether/session/cancel",
  session_steer = "tether/session/steer",
  session_list = "tether/session/list",
  session_load = "tether/session/load",
  session_replay = "tether/session/replay",
  session_delete = "tether/session/delete",
  session_rename = "tether/session/rename",
  session_fork = "tether/session/fork",
  session_export = "tether/session/export",
  models_list = "tether/models/list",
  index_status = "tether/index/status",
  index_search = "tether/index/search",
  session_event = "tether/session/event",
  permission_request = "tether/permission/request",
  provider_check = "tether/provider/check",
}

--- JSON-RPC error codes (see protocol-spec.md).
M.error_codes = {
  parse_error = -32700,
  invalid_request = -32600,
  invalid_params = -32602,
  unknown_session = -32001,
  turn_in_progress = -32002,
  provider_unavailable = -32003,
  provider_auth = -32004,
  provider_rate_limited = -32005,
  provider_failed = -32006,
  folder_not_in_workspace = -32007,
  path_outside_workspace = -32008,
  history_corrupt = -32009,
  store_failed = -32010,
  index_unavailable = -32011,
  config_invalid = -32012,
  unauthorized = -32013,
  internal = -32099,
}

--- Event types that are durable (a set: type -> true).
M.durable_events = {
  turn_started = true,
  message_added = true,
  tool_call_started = true,
  tool_call_completed = true,
  file_edited = true,
  permission_requested = true,
  permission_resolved = true,
  usage = true,
  stream_retry = true,
  context_truncated = true,
  error = true,
  title_changed = true,
  turn_completed = true,
  turn_cancelled = true,
  turn_failed = true,
  step_limit_reached = true,
}

--- Event types that are terminal (a set: type -> true).
M.terminal_events = {
  turn_completed = true,
  turn_cancelled = true,
  turn_failed = true,
  step_limit_reached = true,
}

return M
