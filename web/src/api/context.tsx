/** Session (token in localStorage), the API client for it and the one live socket. */
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { type ApiClient, createApiClient } from './client';
import { queryKeys } from './keys';
import { applyToQueryClient } from './live';
import { type ConnectionStatus, LiveSocket } from './socket';

const TOKEN_KEY = 'benchpilot.token';

interface Session {
  readonly token: string | null;
  /** Why the user was sent back to login (e.g. the token was rejected). */
  readonly notice: string | null;
  login(token: string): void;
  logout(notice?: string): void;
}

const SessionContext = createContext<Session | null>(null);

function readToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [token, setToken] = useState<string | null>(readToken);
  const [notice, setNotice] = useState<string | null>(null);

  const login = useCallback((next: string) => {
    window.localStorage.setItem(TOKEN_KEY, next);
    setNotice(null);
    setToken(next);
  }, []);
  const logout = useCallback(
    (why?: string) => {
      window.localStorage.removeItem(TOKEN_KEY);
      client.clear();
      setNotice(why ?? null);
      setToken(null);
    },
    [client],
  );
  const value = useMemo(() => ({ token, notice, login, logout }), [token, notice, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

interface Connection {
  readonly api: ApiClient;
  readonly socket: LiveSocket | null;
}

const ConnectionContext = createContext<Connection | null>(null);

/** Provides the API client for the session's token and keeps the one WebSocket open. */
export function ConnectionProvider({ token, children }: { token: string; children: ReactNode }) {
  const client = useQueryClient();
  const { logout } = useSession();
  const api = useMemo(
    () => createApiClient(token, () => logout('The server rejected the token; paste a valid one.')),
    [token, logout],
  );
  const [socket, setSocket] = useState<LiveSocket | null>(null);

  useEffect(() => {
    const live = new LiveSocket({
      token,
      onMessage: (message) => applyToQueryClient(client, message),
      // Messages were missed while the socket was down: refetch what is on screen.
      onReconnected: () => void client.invalidateQueries({ queryKey: queryKeys.all() }),
    });
    live.start();
    setSocket(live);
    return () => {
      live.close();
      setSocket(null);
    };
  }, [token, client]);

  const value = useMemo(() => ({ api, socket }), [api, socket]);
  return <ConnectionContext.Provider value={value}>{children}</ConnectionContext.Provider>;
}

function useConnection(): Connection {
  const connection = useContext(ConnectionContext);
  if (!connection) throw new Error('useConnection outside ConnectionProvider');
  return connection;
}

export function useApi(): ApiClient {
  return useConnection().api;
}

/** Subscribes to live topics while the component is mounted. */
export function useLiveTopics(...topics: string[]): void {
  const { socket } = useConnection();
  const key = topics.join('\n');
  useEffect(() => {
    if (!socket || !key) return;
    return socket.subscribe(key.split('\n'));
  }, [socket, key]);
}

export function useConnectionStatus(): ConnectionStatus {
  const { socket } = useConnection();
  const subscribe = useCallback(
    (listener: () => void) => (socket ? socket.onStatus(listener) : () => {}),
    [socket],
  );
  return useSyncExternalStore(subscribe, () => socket?.status ?? 'connecting');
}
