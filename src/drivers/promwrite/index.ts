export {
  type EncodableSeries,
  type EncodedRequest,
  encodeLabels,
  varintLength,
  WriteRequestEncoder,
  writeVarint,
} from './encode.js';
export { type SeedOptions, type SeedSource, seedDataset } from './seed.js';
export {
  parseRetryAfter,
  REMOTE_WRITE_HEADERS,
  RemoteWriteError,
  RemoteWriteSender,
  type SenderOptions,
  type SenderStats,
} from './sender.js';
