/**
 * `${VAR}` and `${VAR:-default}` in workload strings. `$${` writes a literal `${`.
 * As in a shell, `:-` uses the default when the variable is unset or empty.
 */

export interface EnvSubstitution {
  readonly value: string;
  /** Variables referenced without a default that are not set. */
  readonly missing: readonly string[];
  /** The first reference that is not `${NAME}` or `${NAME:-default}`. */
  readonly malformed: string | undefined;
  /** Some `${...}` was replaced. */
  readonly substituted: boolean;
  /**
   * How the text is made, for secrets: 'env' when it references a variable and every reference
   * is `${NAME}` (so `Bearer ${API_TOKEN}` is fine), 'env-default' when a reference has a
   * non-empty default (a value written in the file), 'literal' when it references nothing.
   */
  readonly form: 'env' | 'env-default' | 'literal';
}

const TOKEN = /\$\$\{|\$\{([^{}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export function substituteEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvSubstitution {
  const missing: string[] = [];
  let malformed: string | undefined;
  let substituted = false;
  let withDefault = false;
  const value = text.replace(TOKEN, (token: string, inner: string | undefined) => {
    if (token === '$${') return '${';
    const reference = inner === undefined ? undefined : REFERENCE.exec(inner);
    if (!reference) {
      malformed ??= token;
      return token;
    }
    substituted = true;
    const [, name = '', fallback] = reference;
    const set = env[name];
    if (fallback) withDefault = true;
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return set;
  });
  const form = withDefault ? 'env-default' : substituted ? 'env' : 'literal';
  return { value, missing, malformed, substituted, form };
}
