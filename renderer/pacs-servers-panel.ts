// The servers part of the PACS dialog: choose a server, test the connection, remove it, or add / edit one.
// A password or token typed here goes to the API once — into the OS keychain in the desktop app, or this
// session's memory under `overread serve` — and the field is emptied at once; it is never shown again or
// read back (no API answer holds one). What is shown is where the secret comes from.
import type { PacsAuthInfo, PacsServerInfo } from '../src/shared/pacs-types.ts';
import { element } from './dom.ts';
import { pacsApi } from './pacs-client.ts';

export interface ServersPanel {
  section: HTMLElement;
  /** The chosen server's name, if any. */
  chosen(): string | undefined;
  load(select?: string): Promise<void>;
  /** Empties the secret field (the dialog closes). */
  forgetTyped(): void;
  focus(): void;
}

export function textInput(
  id: string,
  label: string,
  attributes: Record<string, string> = {},
): HTMLInputElement {
  return element('input', {
    attributes: { id, type: 'text', 'aria-label': label, spellcheck: 'false', ...attributes },
  });
}

export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return element('label', {}, [document.createTextNode(text), control]);
}

const SOURCES: Record<PacsServerInfo['secretSource'], string> = {
  keychain: 'secret in the OS keychain',
  session: 'secret kept until Overread closes',
  environment: 'secret from the environment variable',
  none: 'no authentication',
  missing: 'secret missing — enter it below',
};

export function serversPanel(say: (text: string) => void, fail: (error: unknown) => void): ServersPanel {
  const server = element('select', { attributes: { id: 'pacs-server', 'aria-label': 'PACS server' } });
  const serverLine = element('span', { className: 'muted', attributes: { id: 'pacs-server-line' } });
  const test = element('button', {
    text: 'Test connection',
    attributes: { id: 'pacs-test', type: 'button' },
  });
  const remove = element('button', {
    text: 'Remove',
    attributes: { id: 'pacs-remove', type: 'button', 'aria-label': 'Remove this server' },
  });
  const name = textInput('pacs-name', 'Server name', { placeholder: 'hospital' });
  const baseUrl = textInput('pacs-url', 'DICOMweb URL', {
    type: 'url',
    placeholder: 'https://pacs.example.org/dicom-web',
  });
  const auth = element('select', { attributes: { id: 'pacs-auth', 'aria-label': 'Authentication' } });
  auth.append(
    ...[
      ['none', 'None'],
      ['basic', 'User name and password'],
      ['bearer', 'Bearer token'],
    ].map(([value, text]) => element('option', { text, attributes: { value: value! } })),
  );
  const username = textInput('pacs-username', 'User name', { autocomplete: 'off' });
  const secret = textInput('pacs-secret', 'Password or token', {
    type: 'password',
    autocomplete: 'new-password',
  });
  const keychainNote = element('p', { className: 'muted', attributes: { id: 'pacs-keychain-note' } });
  const save = element('button', { text: 'Save server', attributes: { id: 'pacs-save', type: 'button' } });
  let servers: PacsServerInfo[] = [];
  const chosen = () => server.value || undefined;

  const showServer = () => {
    const info = servers.find((s) => s.name === server.value);
    serverLine.textContent = info
      ? `${info.baseUrl} — ${SOURCES[info.secretSource]}`
      : 'No server is set up yet.';
    test.disabled = remove.disabled = !info;
    if (!info) return;
    name.value = info.name;
    baseUrl.value = info.baseUrl;
    auth.value = info.auth.type;
    username.value = info.auth.type === 'basic' ? info.auth.username : '';
    username.disabled = info.auth.type !== 'basic';
  };
  const loadServers = async (select?: string) => {
    const list = await pacsApi.servers();
    servers = list.servers;
    keychainNote.textContent = list.keychain
      ? 'The password or token is saved encrypted with the OS keychain, never as plain text.'
      : 'Under "overread serve" a password or token typed here is kept only until Overread closes; set the environment variable named for the server to keep it.';
    const previous = select ?? server.value;
    server.replaceChildren(
      ...servers.map((s) => element('option', { text: s.name, attributes: { value: s.name } })),
    );
    if (servers.some((s) => s.name === previous)) server.value = previous;
    showServer();
  };
  server.addEventListener('change', showServer);
  auth.addEventListener('change', () => (username.disabled = auth.value !== 'basic'));
  save.addEventListener('click', async () => {
    const type = auth.value as PacsAuthInfo['type'];
    const authInfo: PacsAuthInfo = type === 'basic' ? { type, username: username.value.trim() } : { type };
    try {
      const saved = await pacsApi.save(name.value.trim(), {
        baseUrl: baseUrl.value.trim(),
        auth: authInfo,
        ...(secret.value ? { secret: secret.value } : {}),
      });
      secret.value = '';
      await loadServers(saved.name);
      say(`Saved "${saved.name}" (${SOURCES[saved.secretSource]}).`);
    } catch (error) {
      secret.value = '';
      fail(error);
      await loadServers().catch(() => undefined);
    }
  });
  test.addEventListener('click', async () => {
    const target = chosen();
    if (!target) return;
    say(`Testing "${target}"…`);
    try {
      say((await pacsApi.test(target, secret.value || undefined)).message);
      secret.value = '';
      await loadServers(target);
    } catch (error) {
      fail(error);
    }
  });
  remove.addEventListener('click', async () => {
    const target = chosen();
    if (!target) return;
    try {
      await pacsApi.remove(target);
      await loadServers();
      say(`Removed "${target}" and its saved secret.`);
    } catch (error) {
      fail(error);
    }
  });

  const section = element('section', { attributes: { 'aria-labelledby': 'pacs-servers-title' } }, [
    element('h3', { text: 'Servers', attributes: { id: 'pacs-servers-title' } }),
    labelled('Server', server),
    serverLine,
    element('div', { className: 'dialog-buttons' }, [test, remove]),
    element('details', {}, [
      element('summary', { text: 'Add or edit a server' }),
      labelled('Name', name),
      labelled('DICOMweb URL', baseUrl),
      labelled('Authentication', auth),
      labelled('User name', username),
      labelled('Password or token', secret),
      keychainNote,
      save,
    ]),
  ]);
  return {
    section,
    chosen,
    load: loadServers,
    forgetTyped: () => (secret.value = ''),
    focus: () => server.focus(),
  };
}
