/** The timestamp generator: start + cycle * step, formatted without creating a Date per call. */
import type { BindingSpecOf } from '../../protocol/bindings.js';
import { parseDuration } from '../../protocol/units.js';
import type { Generator } from './types.js';

const MS_PER_DAY = 86_400_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return PAD2[Math.floor(year / 100)]! + PAD2[year % 100]!;
  // Date#toISOString style for years outside 0..9999
  return (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(6, '0');
}

/**
 * Epoch milliseconds (fraction dropped) as `YYYY-MM-DDTHH:MM:SS.sssZ`, equal to
 * Date#toISOString inside Date's range and continuing the proleptic Gregorian calendar beyond it.
 * Date from day number: Howard Hinnant's civil_from_days.
 */
export function formatIsoMillis(epochMillis: number): string {
  const ms = Math.floor(epochMillis);
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return (
    formatYear(year) +
    '-' +
    PAD2[month]! +
    '-' +
    PAD2[day]! +
    'T' +
    PAD2[hours]! +
    ':' +
    PAD2[minutes]! +
    ':' +
    PAD2[seconds]! +
    '.' +
    PAD3[rest - seconds * 1000]! +
    'Z'
  );
}

export function timestampGenerator(spec: BindingSpecOf<'timestamp'>): Generator {
  const startMs = Date.parse(spec.start);
  // microsecond resolution removes float noise such as 0.1 * 1000 = 100.00000000000001
  const stepMs = Math.round(parseDuration(spec.step)! * 1e6) / 1e3;
  switch (spec.format) {
    case 'epochMillis':
      return (cycle) => Math.floor(startMs + cycle * stepMs);
    case 'epochSeconds':
      return (cycle) => Math.floor((startMs + cycle * stepMs) / 1000);
    default:
      return (cycle) => formatIsoMillis(startMs + cycle * stepMs);
  }
}
