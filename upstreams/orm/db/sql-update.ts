// Builds `SET col = $n, ...` from a validated patch object. Column names come
// from the zod schema's keys (never from the client), values travel as params.
export function buildSet(changes: Record<string, unknown>, firstParam: number): { sets: string[]; params: unknown[] } {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
  return {
    sets: entries.map(([column], index) => `${quoteColumn(column)} = $${firstParam + index}`),
    params: entries.map(([, value]) => value),
  };
}

function quoteColumn(column: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`bad column name ${column}`);
  return column === 'order' ? '"order"' : column;
}
