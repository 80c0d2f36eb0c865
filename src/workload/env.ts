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
   * How the text is made: 'env' when it is exactly one `${NAME}` (a secret may be written so),
   * 'env-default' when exactly one `${NAME:-default}`, otherwise 'literal'.
   */
  readonly form: 'env' | 'env-default' | 'literal';
}

const TOKEN = /\$\$\{|\$\{([^{}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const ONLY_REFERENCE = /^\s*\$\{[A-Za-z_][A-Za-z0-9_]*\}\s*$/;
const ONLY_REFERENCE_WITH_DEFAULT = /^\s*\$\{[A-Za-z_][A-Za-z0-9_]*:-[^{}]*\}\s*$/;

export function substituteEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvSubstitution {
  const missing: string[] = [];
  let malformed: string | undefined;
  let substituted = false;
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
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return set;
  });
  const form = ONLY_REFERENCE.test(text)
    ? 'env'
    : ONLY_REFERENCE_WITH_DEFAULT.test(text)
      ? 'env-default'
      : 'literal';
  return { value, missing, malformed, substituted, form };
}
