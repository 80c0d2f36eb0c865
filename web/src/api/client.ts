/** The typed REST client: JSON over fetch with the bearer token; 4xx bodies become ApiRequestError. */
import type { ApiError } from '../../../src/protocol/api';

export const API_PREFIX = '/api/v1';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: NonNullable<ApiError['issues']>;

  constructor(status: number, body: Partial<ApiError>) {
    super(body.message ?? `request failed with HTTP ${status}`);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body.code ?? `HTTP_${status}`;
    this.issues = body.issues ?? [];
  }
}

export interface ApiClient {
  readonly token: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** Fetches a file with the token (download links cannot send headers) and returns it as a Blob. */
  blob(path: string): Promise<Blob>;
}

/** `onUnauthorized` runs when the server rejects the token (401), e.g. to return to login. */
export function createApiClient(token: string, onUnauthorized?: () => void): ApiClient {
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(API_PREFIX + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      if (response.status === 401) onUnauthorized?.();
      throw new ApiRequestError(response.status, await readError(response));
    }
    return response;
  }

  return {
    token,
    get: async (path) => (await send('GET', path)).json(),
    post: async (path, body) => parseJson(await send('POST', path, body ?? {})),
    patch: async (path, body) => parseJson(await send('PATCH', path, body)),
    delete: async (path) => {
      await send('DELETE', path);
    },
    blob: async (path) => (await send('GET', path)).blob(),
  };
}

async function parseJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function readError(response: Response): Promise<Partial<ApiError>> {
  try {
    const body = (await response.json()) as Partial<ApiError>;
    return typeof body === 'object' && body !== null ? body : {};
  } catch {
    return { message: `${response.status} ${response.statusText}`.trim() };
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
