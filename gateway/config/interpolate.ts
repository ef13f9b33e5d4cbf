// ${VAR} and ${VAR:-default} replacement in routes.yaml string values. An unset
// variable without a default is a problem the loader reports with file:line;
// "$${" is a literal "${".

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;

export interface InterpolationResult {
  value: string;
  /** Variables that were unset and had no default. */
  missing: string[];
}

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  const missing: string[] = [];
  if (!text.includes('${')) return { value: text, missing };
  const value = text.replace(PATTERN, (whole: string, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const current = env[name!];
    // ":-" (and "-") both fall back when unset; ":-" also when empty, as in POSIX sh.
    const useFallback = current === undefined || (current === '' && whole.includes(':-'));
    if (!useFallback) return current;
    if (fallback !== undefined) return fallback;
    missing.push(name!);
    return '';
  });
  return { value, missing };
}
