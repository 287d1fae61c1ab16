// `overread serve`: the whole app (API + renderer) in a browser, on 127.0.0.1 only. The first line printed is
// the URL with a fresh token, like Jupyter; Playwright and users without Electron's binary use this.
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import type { Command } from '../main.ts';
import { openApi } from '../../api/open-api.ts';
import { startHttpServer } from '../../api/http-server.ts';

const HELP = `usage: overread serve [--db FILE] [--port N] [--open] [--reader NAME] [--models DIR]
  --db FILE      the dataset (default: overread.db in the per-user app-data folder)
  --port N       port on 127.0.0.1 (default 0: a free port)
  --open         open the app in the default browser
  --reader NAME  whose decisions are recorded (default: the OS user name; switchable in the app)
  --models DIR   an extra folder of user models (also $OVERREAD_MODELS_DIR)`;

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not open a browser; open ${url} yourself`));
  child.unref();
}

export const command: Command = {
  summary: 'serve the app on 127.0.0.1 with a per-run token',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        port: { type: 'string', default: '0' },
        open: { type: 'boolean', default: false },
        models: { type: 'string' },
        reader: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port ${values.port} is not a port number`);
    if (values.reader !== undefined && values.reader.trim() === '')
      throw new Error('--reader needs a name, e.g. --reader "Dr Smith"');
    const api = await openApi({ db: values.db, userModels: values.models, reader: values.reader });
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    try {
      server = await startHttpServer((request) => api.fetch(request), { port });
    } catch (error) {
      await api.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new Error(`port ${port} is in use — pick another with --port, or --port 0`);
      if (code === 'EACCES')
        throw new Error(`port ${port} needs privileges — use a port above 1023, or --port 0`);
      throw error;
    }
    console.log(server.url);
    console.error(`Overread is serving ${api.describe()} — press Ctrl+C to stop`);
    if (values.open) openBrowser(server.url);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await api.close();
    return 0;
  },
};
