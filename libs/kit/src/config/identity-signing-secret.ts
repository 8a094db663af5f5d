import { z } from 'zod';

/** Shared by the gateway and every subgraph; long enough that it cannot be guessed. */
export const identitySigningSecret = z.string().min(32, 'must be at least 32 characters');
