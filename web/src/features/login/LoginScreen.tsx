/** Paste a token; it is checked with GET /me before it is stored. */
import { type FormEvent, useState } from 'react';
import { createApiClient, errorMessage } from '../../api/client';
import { useSession } from '../../api/context';
import type { Me } from '../../api/hooks';

export function LoginScreen() {
  const { login, notice } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste the token that `benchpilot serve` printed (or one an operator created for you).');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await createApiClient(value).get<Me>('/me');
      login(value);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} data-testid="login-form" noValidate>
        <h1>
          <span className="brand-mark" aria-hidden="true" /> benchpilot
        </h1>
        <p className="muted">Sign in with an API token.</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          data-testid="login-token"
          aria-describedby="token-help"
          aria-invalid={error ? true : undefined}
        />
        <p id="token-help" className="help">
          <code>benchpilot serve</code> prints an operator token once, on its first start.
        </p>
        {error ? (
          <p className="error-box" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking} data-testid="login-submit">
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
