/** PLACEHOLDER: the http driver plugin (replaced by the http driver work). */
import type { DriverPlugin } from '../../engine/driver.js';

export const httpDriver: DriverPlugin | undefined = undefined;
