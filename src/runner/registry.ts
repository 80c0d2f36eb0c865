/**
 * The composition root for drivers: the only module that imports concrete drivers.
 * A new driver is one import and one entry here.
 */

import { httpDriver } from '../drivers/http/index.js';
import { postgresDriver } from '../drivers/postgres/index.js';
import type { DriverPlugin } from '../engine/driver.js';

export const DRIVERS: ReadonlyMap<string, DriverPlugin> = new Map(
  [httpDriver, postgresDriver].filter((d): d is DriverPlugin => d !== undefined).map((d) => [d.name, d]),
);
