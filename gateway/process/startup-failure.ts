// Start-up failures an operator can fix, as one line that says what to do (no
// stack trace). Anything else is unexpected and keeps its stack.
export function explainListenError(error: unknown, host: string, port: number): string | null {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE') return `cannot listen on ${host}:${port}: the port is in use (another gateway? see \`ss -ltnp 'sport = :${port}'\`); stop that process or set PORT to a free port`;
  if (code === 'EACCES') return `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${host}:${port}: no such address on this machine; set HOST to one of its addresses (127.0.0.1, 0.0.0.0)`;
  return null;
}

/** A routes file that cannot be read at all (missing, unreadable) is one line, not a list of problems. */
export function explainUnreadableRoutesFile(file: string, problems: Array<{ path: string; message: string }>): string | null {
  const only = problems.length === 1 ? problems[0] : undefined;
  if (!only || only.path !== '(file)' || !/cannot read/.test(only.message)) return null;
  const reason = /ENOENT/.test(only.message) ? 'no such file' : /EACCES/.test(only.message) ? 'permission denied' : only.message;
  return `cannot read the routes file ${file}: ${reason}; set ROUTES_FILE to your routes.yaml (default ./routes.yaml, relative to the directory the gateway runs in)`;
}
