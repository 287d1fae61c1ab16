// Owns the allow-list of what the sandboxed renderer may ask of the OS: only what needs the OS — file and
// folder dialogs (including where to export to), and revealing an exported file. Everything else goes
// through the API over app://.
// The preload exposes exactly these; the main process answers only these, and only from our own origin.

export const IPC_CHANNELS = {
  openFiles: 'dialog:open-files',
  openFolder: 'dialog:open-folder',
  chooseExportFolder: 'dialog:choose-export-folder',
  revealInFolder: 'shell:reveal-in-folder',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

export const ALLOWED_CHANNELS: ReadonlySet<string> = new Set(Object.values(IPC_CHANNELS));

/** The surface `window.overread` offers the renderer (see renderer's feature detection). */
export interface PreloadApi {
  openFiles(): Promise<string[]>;
  openFolder(): Promise<string[]>;
  /** A folder to export into (created in the dialog if need be); null when cancelled. Not an import root. */
  chooseExportFolder(): Promise<string | null>;
  revealInFolder(path: string): Promise<void>;
  pathsForFiles(files: File[]): string[];
}
