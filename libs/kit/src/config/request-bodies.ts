import { z } from 'zod';

/** REQUEST_BODIES_MAX_BYTES by default: 64 bodies of a megabyte, or six of the registry's ten. */
export const defaultRequestBodiesMaxBytes = 64_000_000;

/** REQUEST_BODIES_MAX_BYTES, as every service reads it: the request-body bytes it holds at once (`requestBodyBudget`). */
export const requestBodiesEnv = {
  REQUEST_BODIES_MAX_BYTES: z.coerce.number().int().positive().default(defaultRequestBodiesMaxBytes),
};
