/** Reading the few samples the bench needs from the server's Prometheus text (GET /metrics). */

/** The value of an unlabelled sample; NaN when missing. */
export function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

/**
 * How many requests the server counted for `method route` (status 2xx), and how many of them
 * took longer than `le` seconds by its own clock, from benchpilot_api_request_duration_seconds.
 */
export function requestsOver(
  text: string,
  method: string,
  route: string,
  le: string,
): { count: number; over: number } {
  let count = 0;
  let within = 0;
  const labels = `method="${method}",route="${route}",status="2`;
  for (const line of text.split('\n')) {
    if (!line.startsWith('benchpilot_api_request_duration_seconds_bucket{') || !line.includes(labels))
      continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.includes('le="+Inf"')) count += value;
    else if (line.includes(`le="${le}"`)) within += value;
  }
  return { count, over: count - within };
}
