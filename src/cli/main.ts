// The `overread` command line: parses the sub-command and hands the rest of argv to that command's module.
// Commands are loaded lazily so `overread index` never pays for onnxruntime or SQLite start-up.

export interface Command {
  /** One line for `overread --help`. */
  summary: string;
  /** Runs the command; returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<{ command: Command }>> = {
  audit: () => import('./commands/audit-command.ts'),
  export: () => import('./commands/export-command.ts'),
  index: () => import('./commands/index-command.ts'),
  metrics: () => import('./commands/metrics-command.ts'),
  pull: () => import('./commands/pull-command.ts'),
  push: () => import('./commands/push-command.ts'),
  render: () => import('./commands/render-command.ts'),
  sample: () => import('./commands/sample-command.ts'),
  serve: () => import('./commands/serve-command.ts'),
  triage: () => import('./commands/triage-command.ts'),
};

function usage(): string {
  return [
    'usage: overread <command> [options]',
    '',
    'commands:',
    ...Object.keys(commands).map((name) => `  ${name}`),
    '',
    'Run `overread <command> --help` for a command’s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`overread: unknown command "${name}" — run \`overread --help\` for the list`);
    return 2;
  }
  try {
    const { command } = await load();
    return await command.run(rest);
  } catch (error) {
    // One line a person can act on; the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`overread ${name}: ${message}`);
    if (process.env.OVERREAD_DEBUG) console.error(error);
    return 1;
  }
}
