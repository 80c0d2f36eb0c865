import { apiErrorSchema } from '../../protocol/api.js';

/** The error responses every /api/v1 route may give, for the OpenAPI document. */
export const API_ERRORS = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
  422: apiErrorSchema,
} as const;
