-- generated — do not edit: python -m tether.protocol.generate
-- Source of truth: server/tether/protocol/*.py (pydantic models).

---@alias tether.CompactionReason "window"|"provider_limit"
---@alias tether.ContextPolicy "full"|"incremental"|"reset"
---@alias tether.PermissionOption "allow_once"|"allow_always"|"reject"
---@alias tether.Role "system"|"user"|"assistant"|"tool"
---@alias tether.TurnStatus "completed"|"cancelled"|"failed"|"step_limit"

--- Where a chat code block the user applied (`tether/codeBlock/apply`) went.
---@class tether.AppliedCodeBlock
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field placement "created"|"region"|"whole" `created` (the file was absent or blank), `region` (its first and last lines anchored lines of the file) or `whole` (it replaced the whole file).
---@field startLine integer 1-based first line of the file it replaced (0 when `created`).
---@field endLine integer Last line of the file it replaced (0 when `created`).

--- The session was archived (hidden from the default list, kept) or unarchived.
---@class tether.ArchiveChanged
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "archive_changed" Always `archive_changed`.
---@field archived boolean True when archived.

--- Params of `tether/session/archive`.
---@class tether.ArchiveParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field archived? boolean False unarchives.

--- The answer of `tether/session/cancel`.
---@class tether.CancelResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field cancelled boolean True when a running turn was cancelled.

--- A file an undo or a rewind left untouched, and why.
---@class tether.ChangeConflict
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field path string The file, relative to the workspace folder.
---@field reason string Why it was left as it is.

--- The user undid some of a turn's edits (hunks, a file or all of them). The model hears of it at its next request, so it does not redo the change.
---@class tether.ChangeUndone
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "change_undone" Always `change_undone`.
---@field undoneTurnId string The turn whose edits were undone.
---@field path string The file, relative to the workspace folder.
---@field uri string file:// URI of the file.
---@field hunkIds string[] The hunks undone.
---@field lines string Where, in words ("lines 3-5"), for the model.
---@field deleted boolean The turn had created the file; it was removed.
---@field codeBlock boolean The undone change set is a code block the user applied (`tether/codeBlock/apply`), not the agent's edit.

--- Params of `tether/changes/list`.
---@class tether.ChangesListParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field turnId? string|nil One turn; every turn with edits when null.

--- The answer of `tether/changes/list`.
---@class tether.ChangesListResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field turns tether.TurnChangesInfo[] Oldest first.

--- Params of `tether/changes/undo`: one hunk, one file, or the whole turn's edits.
---@class tether.ChangesUndoParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field turnId string The turn whose edits to undo.
---@field path? string|nil One file (relative or file:// URI).
---@field hunk? string|nil One hunk id (needs `path`).

--- The answer of `tether/changes/undo`.
---@class tether.ChangesUndoResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field undone string[] Hunk ids undone.
---@field files string[] Files changed by the undo.
---@field conflicts tether.ChangeConflict[] Files left untouched, and why.

--- Durable record: where a turn stopped (at the step limit), so it can be continued.
---@class tether.Checkpoint
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "checkpoint" Always `checkpoint`.
---@field reason "step_limit" Why the turn stopped.
---@field task string The user's request the turn worked on.
---@field done string[] Tool calls made, oldest first.
---@field remaining string The model's last words: its plan or state.
---@field steps integer Steps taken.

--- Params of `tether/codeBlock/apply`: put a chat code block into a file.
---@class tether.CodeBlockApplyParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session whose answer holds the block.
---@field uri string The target file: a file:// URI, or a path relative to the session's workspace folder (the file the block names, else the active editor's).
---@field code string The block's code, as shown.
---@field version? integer|nil The open buffer's version the user saw when choosing Apply; when the server's copy is at another version the block is not applied (`reason: stale`). Null: not open, or not checked.

--- The answer of `tether/codeBlock/apply`; a block that cannot be placed is not an error: `applied` is false and `message` says what to do (e.g. Insert at Cursor).
---@class tether.CodeBlockApplyResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field applied boolean Whether the file now holds the block.
---@field path string The file, relative to the workspace folder.
---@field uri string file:// URI of the file.
---@field changeId? string|nil The change set the edit was recorded in, a turn id of its own: pass it as `turnId` to `tether/changes/list`, `tether/changes/undo` or `tether/session/rewind`.
---@field placement? "created"|"region"|"whole"|nil How the block was placed: `created` (the file was absent or blank), `region` (its first and last lines anchored lines of the file) or `whole` (it replaced the whole file).
---@field startLine integer 1-based first line of the file it replaced (0 when `created`).
---@field endLine integer Last line of the file it replaced (0 when `created`).
---@field target? "buffer"|"disk"|nil Where it landed: the open editor buffer or the disk.
---@field rebased boolean Merged onto text newer than the server read.
---@field reason? "no_anchor"|"unchanged"|"stale"|"busy"|nil Why it was not applied: `no_anchor` (cannot tell where it goes), `unchanged` (the file already holds it), `stale` (the buffer moved on) or `busy` (a turn of the session is running).
---@field message string What happened, in words for the user.

--- Durable record: a summary that stands in for the messages up to `upToMessageId` in every later request (the messages themselves stay in history).
---@class tether.Compaction
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "compaction" Always `compaction`.
---@field summary string The model's summary of the older messages.
---@field upToMessageId string The last message the summary covers.
---@field summarizedMessages integer Messages the summary replaces in the view.
---@field model string The model that wrote the summary.

--- Compaction finished; the next request uses summary + recent messages.
---@class tether.CompactionCompleted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "compaction_completed" Always `compaction_completed`.
---@field tokensBefore integer Estimated request tokens before.
---@field tokensAfter integer Estimated request tokens after.
---@field summarizedMessages integer Messages replaced by the summary.
---@field contextWindow integer The window being fitted.

--- The summariser failed or answered nothing usable; the view falls back to truncation (a `context_truncated` follows). The task is never lost: pins survive.
---@class tether.CompactionFailed
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "compaction_failed" Always `compaction_failed`.
---@field reason string Why, for the user.

--- The context no longer fits: older messages are being summarised by the model.
---@class tether.CompactionStarted
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "compaction_started" Always `compaction_started`.
---@field tokensBefore integer Estimated request tokens before compaction.
---@field contextWindow integer The window being fitted.
---@field reason tether.CompactionReason What triggered it.

--- One entry of a context section: a rules file, a pin, a message.
---@class tether.ContextItem
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field label string What it is (a path, a pin id, `role: first words`).
---@field tokens integer Estimated tokens.
---@field state "whole"|"stubbed"|"dropped"|"summarized" How it appears in the next request.

--- The answer of `tether/session/context`: what the next request would contain.
---@class tether.ContextResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field policy tether.ContextPolicy The `contextPolicy` in effect.
---@field contextWindow integer The model's window in tokens.
---@field budgetTokens integer Window minus reserved output and margin.
---@field totalTokens integer Estimated tokens of the next request.
---@field sections tether.ContextSection[] system, tools, rules, pins, summary, messages, in request order.
---@field stubbedOutputs integer Tool outputs shown as a stub.
---@field droppedMessages integer Messages left out (truncation).
---@field summarizedMessages integer Messages a summary stands in for.
---@field canContinue boolean A step-limit checkpoint can be continued.

--- A part of the next request, with its estimated size.
---@class tether.ContextSection
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field name "system"|"tools"|"rules"|"pins"|"summary"|"messages" Which part.
---@field tokens integer Estimated tokens of this part in the request.
---@field items tether.ContextItem[] What it holds.

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

--- One file of a turn's change set.
---@class tether.FileChangeInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field path string Relative to the workspace folder.
---@field uri string file:// URI.
---@field created boolean The turn created the file.
---@field restorable boolean False: too big to keep; cannot be undone.
---@field added integer Lines added (hunks still applied).
---@field removed integer Lines removed (hunks still applied).
---@field hunks tether.HunkInfo[] In file order.

--- An agent edit to a file, with its unified diff, applied or not. A code block the user applied (`tether/codeBlock/apply`) is reported the same way, outside any turn: its `turnId` and `toolCallId` are the block's `changeId`.
---@class tether.FileEdited
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "file_edited" Always `file_edited`.
---@field toolCallId string The edit tool call (an applied code block: its `changeId`).
---@field uri string file:// URI of the edited file.
---@field diff string Unified diff of the edit as proposed.
---@field applied boolean Whether the edit reached the buffer / file.
---@field rebased boolean Applied after a 3-way rebase on newer text.
---@field message? string|nil Why it was not applied, when it was not.
---@field path string The file, relative to the workspace folder.
---@field target? "buffer"|"disk"|nil Where the edit landed: an open editor buffer or the disk (a file not open in the editor is written there, never left in a hidden buffer).
---@field hunkIds string[] Ids of the turn's hunks in this file so far, for `tether/changes/undo` (stable across later edits elsewhere in the file).
---@field beforeBlob? string|nil Snapshot id of the file before the turn first touched it (null: the turn created it, or it was too big to keep).
---@field afterBlob? string|nil Snapshot id of the file's text after this edit, stored as its changes from `beforeBlob`.
---@field created boolean The turn created the file.
---@field restorable boolean False when the file was over `maxBlobBytes`: it cannot be undone or rewound.
---@field codeBlock? tether.AppliedCodeBlock|nil Set when the edit is a chat code block the user applied, not the agent's: where the block went.

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

--- One hunk of a turn's change to a file.
---@class tether.HunkInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field id string Stable hunk id, for `tether/changes/undo`.
---@field state "applied"|"undone" Whether the hunk is in the file or was undone.
---@field oldStart integer 1-based first line in the file before the turn.
---@field oldLines integer Lines it replaced.
---@field newStart integer 1-based first line in the turn's text.
---@field newLines integer Lines it put there.
---@field removed string[] The lines it replaced.
---@field added string[] The lines it put there.

--- An image attached to a message.
---@class tether.ImagePart
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field type "image" Always `image`.
---@field mediaType string MIME type, e.g. image/png.
---@field data? string|nil Base64 image bytes.
---@field uri? string|nil Where the image lives, when not inlined.

--- Params of `tether/session/importCodex`: Codex CLI rollouts of this folder.
---@class tether.ImportCodexParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder; rollouts whose cwd is it.
---@field path? string|nil A rollout file or a folder of them (default: ~/.codex/sessions).

--- What `tether/session/importCodex` did.
---@class tether.ImportCodexResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field imported string[] Ids of the sessions created.
---@field skipped integer Rollouts already imported (or of other folders).
---@field problems string[] Files that could not be read.

--- One found file (results are files first); `line`/`symbol`/`preview` are its best line.
---@class tether.IndexSearchHit
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field path string Path relative to the folder.
---@field uri string file:// URI.
---@field score number Higher is better.
---@field line? integer|nil 0-based line of the file's best line, if any.
---@field symbol? string|nil Symbol name on the best line, if any.
---@field preview? string|nil The best line's text.
---@field lines tether.IndexSearchLine[] The file's best lines, best first.

--- A line inside a found file.
---@class tether.IndexSearchLine
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field line integer 0-based line.
---@field score number Higher is better (within the file).
---@field symbol? string|nil The definition on this line, if the query names it.
---@field preview string The line's text.

--- Params of `tether/index/search`.
---@class tether.IndexSearchParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.
---@field query string Search text.
---@field limit? integer Maximum results.

--- The answer of `tether/index/search`.
---@class tether.IndexSearchResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field results tether.IndexSearchHit[] Files, best first.

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
---@field query? string|nil Filter on the title or the first prompt line (case-insensitive).
---@field includeArchived? boolean List archived sessions too.

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
---@field rewoundTurnIds string[] Turns rewound (`tether/session/rewind`): shown marked, left out of the model's context.

--- One configured MCP server and how it is doing.
---@class tether.McpServerStatus
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field name string The server's name in the config.
---@field transport "stdio"|"http" stdio (a command) or http.
---@field source "user"|"workspace"|"session" Declared in the user config, `.tether/config.toml`, or by a session.
---@field target string The command line or URL (no env or header values).
---@field state "idle"|"starting"|"ready"|"failed"|"stopped" idle until first used, then starting/ready.
---@field error string Why it failed, when it did.
---@field restarts integer Times it was started again after a crash.
---@field trusted boolean False: a workspace server the user has not trusted (it does not start).
---@field tools tether.McpToolInfo[] Its tools.

--- Params of `tether/mcp/status`.
---@class tether.McpStatusParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri? string|nil Also list this folder's workspace servers (`.tether/config.toml`).

--- The answer of `tether/mcp/status`.
---@class tether.McpStatusResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field servers tether.McpServerStatus[] Every configured server.

--- One tool an MCP server offers, as the agent sees it.
---@class tether.McpToolInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field name string The agent's name for it: `mcp__SERVER__TOOL`.
---@field description string The server's description.

--- Something the user pointed at with `@` in the prompt (structured, not only text).
---@class tether.Mention
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field kind "file"|"folder"|"symbol" file, folder or symbol.
---@field uri string file:// URI of the file or folder (a symbol's file).
---@field name? string What the prompt shows, e.g. `@src/app.py`, `@greet`.
---@field range? tether.Range|nil A symbol's definition lines.

--- Params of `tether/mention/complete`: what the user typed after `@`.
---@class tether.MentionCompleteParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.
---@field prefix? string Text after `@` so far.
---@field limit? integer Items at most.

--- The answer of `tether/mention/complete`.
---@class tether.MentionCompleteResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field items tether.MentionItem[] Best first: files, folders, symbols.

--- A completion for `@`: insert `insert`, send `mention` with the prompt.
---@class tether.MentionItem
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field label string What the list shows.
---@field detail string Kind and place, e.g. `function · src/app.py:12`.
---@field insert string Text to put after `@` in the prompt.
---@field mention tether.Mention The structured mention to send with the prompt.

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

--- Assistant text streamed since the previous checkpoint, saved every few seconds. Durable, so a reply whose process is killed mid-stream keeps its text: on the next load the turn gets `turn_failed` and the checkpoints of the message, concatenated, become an interrupted message. Each holds only the new text, so a long reply is not stored over and over. Clients need not render it (the deltas showed the text).
---@class tether.MessageCheckpoint
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "message_checkpoint" Always `message_checkpoint`.
---@field messageId string The assistant message being streamed.
---@field text string Text streamed since this message's previous checkpoint.
---@field reasoning string Reasoning streamed since the previous one.

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
---@field comment? string|nil What the user said with a rejection; the model reads it as the result.

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

--- Durable record: text pinned into every request, verbatim, through every compaction.
---@class tether.PinAdded
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "pin" Always `pin`.
---@field pinId string Id to unpin it with.
---@field text string The pinned text.

--- Params of `tether/session/pin`.
---@class tether.PinParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field text string Text kept verbatim in every request.

--- Durable record: a pin was removed.
---@class tether.PinRemoved
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "unpin" Always `unpin`.
---@field pinId string The pin removed.

--- The answer of `tether/session/pin`.
---@class tether.PinResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field pinId string Id of the new pin (for `tether/session/unpin`).

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
---@field languageId? string|nil The active file's language id.
---@field cursor? tether.Position|nil The cursor in the active file.
---@field mentions? tether.Mention[] `@file`, `@folder`, `@symbol` the user chose.
---@field diagnostics? tether.PromptDiagnostic[] The active file's diagnostics, as the editor has them.

--- One diagnostic the editor shows for a file (LSP diagnostics it already has).
---@class tether.PromptDiagnostic
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field uri? string|nil The file; default: the active file.
---@field range tether.Range Where.
---@field severity? "error"|"warning"|"information"|"hint" error … hint.
---@field message string The diagnostic's message.
---@field source? string|nil Who reported it (pyright, eslint, …).
---@field code? string|nil Its code, if any.

--- Params of `tether/session/prompt`.
---@class tether.PromptParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field text string The user's message.
---@field context? tether.PromptContext|nil Editor context to attach.
---@field clientMessageId? string|nil The client's id for its optimistic copy of this message; echoed on the turn's `turn_started` event so the client reconciles by id, not by text.

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

--- Params of `tether/session/rewind`.
---@class tether.RewindParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field turnId string Rewind to before this turn (the last: undo turn).

--- The answer of `tether/session/rewind`.
---@class tether.RewindResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field restored string[] Files restored.
---@field conflicts tether.ChangeConflict[] Files left untouched, and why.
---@field rewoundTurnIds string[] Turns rewound.

--- Params of `tether/session/search`: full-text search over a folder's sessions.
---@class tether.SearchSessionsParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field folderUri string The workspace folder.
---@field query string Words that must all appear (prefixes match).
---@field limit? integer At most this many sessions.
---@field includeArchived? boolean Search archived sessions too.

--- The answer of `tether/session/search`, best match first.
---@class tether.SearchSessionsResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field hits tether.SessionSearchHit[] One per matching session.

---@alias tether.SessionEvent tether.TurnStarted|tether.MessageAdded|tether.TextDelta|tether.ReasoningDelta|tether.TextComplete|tether.ToolCallStarted|tether.ToolOutputChunk|tether.ToolHeartbeat|tether.ToolCallCompleted|tether.FileEdited|tether.PermissionRequested|tether.PermissionResolved|tether.UsageUpdated|tether.StreamRetry|tether.ContextTruncated|tether.ErrorEvent|tether.TitleChanged|tether.TurnCompleted|tether.TurnCancelled|tether.TurnFailed|tether.StepLimitReached|tether.CompactionStarted|tether.Compaction|tether.CompactionCompleted|tether.CompactionFailed|tether.PinAdded|tether.PinRemoved|tether.Checkpoint|tether.MessageCheckpoint|tether.ArchiveChanged|tether.ChangeUndone|tether.TurnRewound

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

--- One session that matches, with its best snippet.
---@class tether.SessionSearchHit
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field title string Its title.
---@field snippet string Text around the best match (plain text).
---@field highlights integer[][] [start, end) character ranges of `snippet` matched.
---@field kind string Where it matched: user, assistant, reasoning, tool_call, tool_output, file or title.
---@field archived boolean The session is archived.

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
---@field archived boolean Hidden from the default list, kept on disk.
---@field usage tether.Usage Usage totals over all turns.
---@field cost? number|nil US dollars for `usage` at the model's price; null when the model has no price.
---@field firstPrompt string The first line of the session's first prompt, at most 200 characters; "" before anything was asked.
---@field filesTouched string[] Files the agent's applied edits touched, relative to the folder, first touch first; at most 50 (`fileCount` has all).
---@field fileCount integer How many distinct files the agent's applied edits touched.
---@field lastTurn? "completed"|"failed"|"cancelled"|"step_limit"|"unfinished"|nil How the newest turn ended: `completed`, `failed`, `cancelled`, `step_limit`, or `unfinished` (started, no end in history: running now, or its process ended and the next load closes it as failed); null before the first turn.
---@field lastTurnReason string The reason the newest turn's end gave (why it failed, who cancelled), clipped; "" for none.

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
---@field discardMessageId? string|nil The partial assistant message streamed before the failure: clients drop it (its deltas); the retry streams under a fresh message id and never repeats text under this one.

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

--- Terminal: the turn was cancelled; partial work is kept, marked interrupted.
---@class tether.TurnCancelled
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_cancelled" Always `turn_cancelled`.
---@field reason string Who or what cancelled.

--- The change set of one turn.
---@class tether.TurnChangesInfo
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field turnId string The turn.
---@field rewound boolean The turn was rewound.
---@field files tether.FileChangeInfo[] Touched files.

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
---@field text string The final answer text; when cancelled, what was said so far.
---@field usage tether.Usage Usage of this turn.
---@field reason string Why it ended (for non-completed turns).

--- The session was rewound to before `toTurnId`: files restored, turns left out of the model's context from now on (they stay in history and in `load`, marked).
---@class tether.TurnRewound
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session the event belongs to.
---@field turnId? string|nil The turn; null for events outside a turn.
---@field seq integer Per-session, strictly increasing sequence number.
---@field time string When it happened (UTC).
---@field type "turn_rewound" Always `turn_rewound`.
---@field toTurnId string The first turn rewound.
---@field rewoundTurnIds string[] Every turn rewound, oldest first.
---@field restored string[] Files restored.
---@field conflicts tether.ChangeConflict[] Files left untouched, and why.

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
---@field clientMessageId? string|nil The `clientMessageId` the prompt carried, if any.

--- Params of `tether/session/unpin`.
---@class tether.UnpinParams
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field sessionId string The session.
---@field pinId string The pin to remove.

--- The answer of `tether/session/unpin`.
---@class tether.UnpinResult
---@field _meta? table<string, any>|nil Extension data; ignored by Tether.
---@field removed boolean False when no such pin was active.

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
---@field cost? number|nil US dollars of this step; null when the model has no price (clients show tokens only).
---@field turnCost? number|nil US dollars of the turn so far.
---@field sessionCost? number|nil US dollars of the session so far.

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
  session_pin = "tether/session/pin",
  session_unpin = "tether/session/unpin",
  session_continue = "tether/session/continue",
  session_context = "tether/session/context",
  session_search = "tether/session/search",
  session_archive = "tether/session/archive",
  session_import_codex = "tether/session/importCodex",
  mcp_status = "tether/mcp/status",
  mention_complete = "tether/mention/complete",
  changes_list = "tether/changes/list",
  changes_undo = "tether/changes/undo",
  session_rewind = "tether/session/rewind",
  provider_check = "tether/provider/check",
  code_block_apply = "tether/codeBlock/apply",
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
  compaction = true,
  compaction_completed = true,
  compaction_failed = true,
  pin = true,
  unpin = true,
  checkpoint = true,
  message_checkpoint = true,
  archive_changed = true,
  change_undone = true,
  turn_rewound = true,
}

--- Event types that are terminal (a set: type -> true).
M.terminal_events = {
  turn_completed = true,
  turn_cancelled = true,
  turn_failed = true,
  step_limit_reached = true,
}

return M
