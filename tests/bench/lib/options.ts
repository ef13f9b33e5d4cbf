// Command-line options shared by the benchmarks: --name=value flags with an env
// fallback (BENCH_NAME) and a default, parsed once.

export class BenchOptionError extends Error {
  readonly code = 'BENCH_BAD_OPTION';
}

export function readFlag(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = args.find((arg) => arg.startsWith(prefix));
  if (found !== undefined) return found.slice(prefix.length);
  if (args.includes(`--${name}`)) return 'true';
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

export function readNumberFlag(args: string[], name: string, fallback: number, min = 0): number {
  const raw = readFlag(args, name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new BenchOptionError(`--${name} must be a number ≥ ${min} (got "${raw}")`);
  return value;
}

export function readBooleanFlag(args: string[], name: string): boolean {
  const raw = readFlag(args, name);
  return raw !== undefined && raw !== 'false' && raw !== '0';
}
