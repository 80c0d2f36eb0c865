/** PLACEHOLDER: the postgres driver plugin (replaced by the postgres driver work). */
import type { DriverPlugin } from '../../engine/driver.js';

export const postgresDriver: DriverPlugin | undefined = undefined;
