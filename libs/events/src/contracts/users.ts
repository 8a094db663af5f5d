import { z } from 'zod';
import { defineEvent } from '../contract';

export const userRegistered = defineEvent({
  type: 'users.user.registered',
  version: 1,
  schema: z.object({
    userId: z.string(),
    email: z.string().email(),
    name: z.string(),
  }),
});
