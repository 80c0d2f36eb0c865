/**
 * Downloads of a finished run: JSON and CSV exports and the self-contained HTML report. Links
 * cannot carry the bearer token, so a click fetches the file with it and saves the Blob.
 */
import { type MouseEvent, useState } from 'react';
import { API_PREFIX, errorMessage } from '../../api/client';
import { useApi } from '../../api/context';
import { runPath } from '../../api/hooks';

const FILES = [
  { path: 'export.json', label: 'Export JSON', testId: 'export-json' },
  { path: 'export.csv', label: 'Export CSV', testId: 'export-csv' },
  { path: 'report.html', label: 'HTML report', testId: 'report-html' },
] as const;

export function ReportLinks({ runId }: { runId: string }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const download = async (event: MouseEvent<HTMLAnchorElement>, file: string) => {
    // Every click goes through fetch: opening the bare URL (new tab) would lack the token.
    event.preventDefault();
    setError(null);
    setBusy(file);
    try {
      const blob = await api.blob(`${runPath(runId)}/${file}`);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `benchpilot-${runId}-${file}`;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(`Download failed: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="report-links" data-testid="report-links">
      {FILES.map((file) => (
        <a
          key={file.path}
          className="button"
          href={`${API_PREFIX}${runPath(runId)}/${file.path}`}
          download
          onClick={(event) => void download(event, file.path)}
          data-testid={file.testId}
          aria-busy={busy === file.path}
        >
          {busy === file.path ? 'Downloading…' : file.label}
        </a>
      ))}
      {error ? (
        <p className="error-box" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
