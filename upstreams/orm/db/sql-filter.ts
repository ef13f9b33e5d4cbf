// Builds a parameterised WHERE clause: every value travels as a $n parameter,
// never spliced into SQL, which is what makes the string filters injection-safe.
export class SqlFilter {
  #conditions: string[] = [];
  #params: unknown[] = [];

  /** Adds `fragment` with every `?` replaced by the next $n placeholder, bound to value. */
  add(fragment: string, value: unknown): this {
    this.#params.push(value);
    this.#conditions.push(fragment.replaceAll('?', `$${this.#params.length}`));
    return this;
  }

  /** Adds a condition with no value (a constant SQL fragment from code, never from a client). */
  addConstant(fragment: string): this {
    this.#conditions.push(fragment);
    return this;
  }

  /** Adds the condition only when value is not undefined. */
  addIf(fragment: string, value: unknown): this {
    return value === undefined ? this : this.add(fragment, value);
  }

  build(): { where: string; params: unknown[] } {
    return { where: this.#conditions.length ? `WHERE ${this.#conditions.join(' AND ')}` : '', params: [...this.#params] };
  }
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches itself. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
