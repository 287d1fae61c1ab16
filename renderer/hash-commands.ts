// Commands the desktop shell's menu sends by setting the page's fragment (the renderer has no IPC channel in
// that direction, by design): `#import=<JSON array of paths>`, `#shortcuts`, `#about`, `#reader`, `#export`. Each is
// carried out once and the fragment cleared, so reloading the page repeats nothing.

export type HashCommand =
  | { kind: 'import'; paths: string[] }
  | { kind: 'shortcuts' }
  | { kind: 'about' }
  | { kind: 'reader' }
  | { kind: 'export' };

/** The command a fragment names, or null for an empty, unknown or malformed one. */
export function parseHashCommand(hash: string): HashCommand | null {
  const text = hash.replace(/^#/, '');
  if (text === 'shortcuts' || text === 'about' || text === 'reader' || text === 'export')
    return { kind: text };
  const match = /^import=(.*)$/s.exec(text);
  if (!match) return null;
  try {
    const paths: unknown = JSON.parse(decodeURIComponent(match[1]!));
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) return null;
    return paths.length ? { kind: 'import', paths: paths as string[] } : null;
  } catch {
    return null;
  }
}

export function watchHashCommands(run: (command: HashCommand) => void): void {
  const take = () => {
    const command = parseHashCommand(location.hash);
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    if (command) run(command);
  };
  window.addEventListener('hashchange', take);
  take();
}
