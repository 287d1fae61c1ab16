// `npm run bench -- <name> [options]`: runs bench/<name>.bench.ts, which prints our figures beside a reference
// tool's figures measured in the same run. `npm run bench` alone lists the benchmarks.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 2 : 0);
}
const module = (await import(`./${name}.bench.ts`)) as { run(argv: string[]): Promise<void> };
await module.run(rest);
