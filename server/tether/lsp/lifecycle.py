"""initialize / initialized / shutdown, workspace folders, configuration, index builds.

Nothing here may fail `initialize`: bad settings and a missing index become log messages.
Slow work (pulling settings, registering the file watcher, building the index) starts
after `initialized` in the background, so the editor is never kept waiting.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from lsprotocol import types

from tether.lsp.server import TetherServer
from tether.session.workspaces import Workspace
from tether.settings import load_settings
from tether.workspace.folder import WorkspaceFolder, canonical, uri_to_path

log = logging.getLogger(__name__)

CONFIG_TIMEOUT = 5.0


def register_lifecycle(server: TetherServer) -> None:
    spawn = server.background.spawn

    async def pull_settings() -> None:
        try:
            await asyncio.wait_for(server.refresh_settings(), CONFIG_TIMEOUT)
        except TimeoutError:
            server.log_to_client("the editor did not answer workspace/configuration; "
                                 "using the config file and environment",
                                 types.MessageType.Warning)
        finally:
            server.settings_ready.set()

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.read_client_capabilities(params)
        server.base_settings = load_settings()
        for folder in server.initial_folders(params):
            server.folders.add(folder)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        spawn(pull_settings(), "settings pull")
        spawn(register_watcher(server), "file watcher registration")
        for runtime in server.folders:
            start_index(server, runtime)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(params: types.DidChangeWorkspaceFoldersParams) -> None:
        # Synchronous, so requests after this notification already see the new folders;
        # closing a removed folder's sessions and index runs in the background (detach).
        for removed in params.event.removed or []:
            try:
                gone = WorkspaceFolder(canonical(uri_to_path(removed.uri)))
            except ValueError:
                continue
            server.folders.detach(gone)
        added = []
        for folder in params.event.added or []:
            try:
                root = canonical(uri_to_path(folder.uri))
            except ValueError:
                server.log_to_client(f"ignoring workspace folder {folder.uri}: not a file URI",
                                     types.MessageType.Warning)
                continue
            added.append(server.folders.add(WorkspaceFolder(root)))
        for runtime in added:
            start_index(server, runtime)
        if added:
            spawn(pull_settings(), "settings pull")

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        if server.capability("workspace.configuration", False):
            await pull_settings()
        else:
            server.apply_pushed_settings(params.settings)

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: Any) -> None:
        await server.aclose()


async def register_watcher(server: TetherServer) -> None:
    """Ask the editor to report file changes on disk, when it can be asked dynamically."""
    if not server.capability("workspace.did_change_watched_files.dynamic_registration", False):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern="**/*")]
    )
    registration = types.Registration(
        id=str(uuid.uuid4()), method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await server.client_register_capability_async(
            types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        log.warning("could not register the file watcher: %s", exc)


def start_index(server: TetherServer, runtime: Workspace) -> None:
    if runtime.index is not None:
        runtime.spawn(build_index(server, runtime), "index build")


async def build_index(server: TetherServer, runtime: Workspace) -> None:
    """Build the folder's index, reporting `$/progress` when the client shows progress."""
    index = runtime.index
    if index is None:
        return
    token: str | None = None
    if server.capability("window.work_done_progress", False):
        token = f"tether-index-{uuid.uuid4()}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception as exc:
            log.info("no progress token (%s); indexing silently", exc)
            token = None
    progress = server.work_done_progress
    if token is not None:
        progress.begin(token, types.WorkDoneProgressBegin(
            title=f"Tether: indexing {runtime.folder.name}", percentage=0, cancellable=False))
    loop = asyncio.get_running_loop()
    last = [-1]

    def report(done: int, total: int, message: str) -> None:
        percent = min(100, int(100 * done / total)) if total else 0
        if token is not None and percent != last[0]:
            last[0] = percent
            progress.report(token, types.WorkDoneProgressReport(message=message,
                                                                percentage=percent))

    def on_progress(p: Any) -> None:  # may be called from a worker thread
        loop.call_soon_threadsafe(report, p.done, p.total, p.message)

    end = "done"
    try:
        stats = await index.build(progress=on_progress)
        end = f"{stats.files} files, {stats.symbols} symbols"
    except asyncio.CancelledError:
        end = "cancelled"
        raise
    except Exception as exc:
        end = f"failed: {exc}"
        server.log_to_client(f"Tether: indexing {runtime.folder.root} failed: {exc}",
                             types.MessageType.Warning)
    finally:
        if token is not None:
            progress.end(token, types.WorkDoneProgressEnd(message=end))
