// The one benchmark command: `npm run bench [-- <name>|all] [--flags]`. With no
// name it runs the gateway proxy benchmark; a name runs tests/bench/<name>/main.ts,
// whose exported main(args) returns the exit code (a module without main() is
// expected to run on import). Not part of `npm test`.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { killAllParticipants } from './lib/processes.ts';
import { MissingRequirementError } from './lib/requirements.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const NOT_BENCHES = new Set(['lib', 'results']);

function listBenches(): string[] {
  return readdirSync(HERE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_BENCHES.has(entry.name) && existsSync(join(HERE, entry.name, 'main.ts')))
    .map((entry) => entry.name)
    .sort((a, b) => (a === 'gateway' ? -1 : b === 'gateway' ? 1 : a.localeCompare(b)));
}

async function runBench(name: string, args: string[]): Promise<number> {
  const file = join(HERE, name, 'main.ts');
  if (!existsSync(file)) {
    process.stderr.write(`unknown benchmark "${name}"; available: ${listBenches().join(', ')}, all\n`);
    return 2;
  }
  process.stdout.write(`\n=== bench: ${name} ===\n`);
  const module = (await import(pathToFileURL(file).href)) as { main?: (args: string[]) => Promise<number | void> };
  if (typeof module.main !== 'function') return 0;
  return (await module.main(args)) ?? 0;
}

async function run(argv: string[]): Promise<number> {
  const name = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'gateway';
  const args = argv[0] === name ? argv.slice(1) : argv;
  if (name !== 'all') return runBench(name, args);
  let worst = 0;
  for (const bench of listBenches()) worst = Math.max(worst, await runBench(bench, args));
  return worst;
}

// Ctrl-C, a timeout's SIGTERM or a crash must not leave stubs, proxies or nginx running.
process.on('exit', killAllParticipants);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllParticipants();
    process.exit(130);
  });
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof MissingRequirementError) {
    process.stderr.write(`\n${error.message}\n`);
    process.exitCode = 3;
  } else {
    throw error;
  }
}
