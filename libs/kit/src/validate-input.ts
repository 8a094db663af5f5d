import { z } from 'zod';
import { badInput } from './errors';

/**
 * Validates a use case's input, reporting every problem at once as BAD_USER_INPUT
 * with the offending fields in `extensions.fields`.
 */
export function validateInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  throw badInput(fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; '), { fields });
}
