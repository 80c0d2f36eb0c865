/**
 * Run results as files a person reads: a self-contained HTML report, CSV exports, latency
 * percentile curves and a comparison of runs. Pure functions of the stored run, summary and
 * series; the caller does the I/O. Documented in docs/reports.md.
 */
export {
  type CompareCurve,
  type CompareItem,
  type CompareRow,
  type Comparison,
  compareRuns,
  renderCompareHtml,
} from './compare.js';
export { SERIES_COLUMNS, SUMMARY_COLUMNS, seriesCsv, summaryCsv } from './csv.js';
export { escapeHtml, REPORT_CONTENT_TYPES, reportFileName } from './format.js';
export { type HtmlReportInput, renderHtmlReport } from './html.js';
export {
  ALL_OPS,
  benchmarkPhase,
  CURVE_PERCENTILES,
  type CurvePoint,
  curvePoints,
  mergedLatency,
  type PercentileCurve,
  type PercentileCurves,
  percentileCurves,
} from './percentiles.js';
