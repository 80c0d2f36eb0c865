/** How HTTP outcomes map to error classes, with short constant messages (no per-op strings). */
import { STATUS_CODES } from 'node:http';

/** Classes beyond COMMON_ERROR_CLASSES (timeout, connection, server, client, cancelled). */
export const HTTP_ERROR_CLASSES = ['redirect', 'unexpected', 'protocol', 'request'] as const;

/** Error class of a status that is not expected: 5xx server, 4xx client, 3xx redirect, else unexpected. */
export function statusClass(status: number): string {
  if (status >= 500) return 'server';
  if (status >= 400) return 'client';
  if (status >= 300) return 'redirect';
  return 'unexpected';
}

const statusMessages: string[] = [];

/** "503 Service Unavailable", built once per status and cached. */
export function statusMessage(status: number): string {
  let text = statusMessages[status];
  if (text === undefined) {
    const reason = STATUS_CODES[status];
    text = reason ? `${status} ${reason}` : String(status);
    statusMessages[status] = text;
  }
  return text;
}

const CLASS_BY_CODE: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  UND_ERR_DESTROYED: 'cancelled',
  UND_ERR_CLOSED: 'cancelled',
  UND_ERR_ABORTED: 'cancelled',
  UND_ERR_ABORT: 'cancelled',
  ABORT_ERR: 'cancelled',
  UND_ERR_INVALID_ARG: 'request',
  UND_ERR_NOT_SUPPORTED: 'request',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'request',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_HEADERS_OVERFLOW: 'protocol',
  UND_ERR_INFO: 'protocol',
};

/** Error class and short message of a thrown client error (never the request, so no credentials). */
export function classifyError(err: unknown): { errorClass: string; message: string } {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const mapped = CLASS_BY_CODE[code];
  if (mapped) return { errorClass: mapped, message: code };
  if (code.startsWith('HPE_')) return { errorClass: 'protocol', message: code };
  // ECONNREFUSED, ECONNRESET, EPIPE, UND_ERR_SOCKET, TLS certificate errors, DNS errors
  const message = code || (err instanceof Error ? err.message.slice(0, 80) : 'connection error');
  return { errorClass: 'connection', message };
}
