import { InputError } from './command';
import { clientTimeoutMs, postJson } from './post-json';

export const defaultRegistryUrl = 'http://127.0.0.1:4100';

interface GraphQLAnswer {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/** The registry's GraphQL API, as `FICUS_REGISTRY_URL`, `FICUS_API_KEY` and `FICUS_CLIENT_TIMEOUT` name it. */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(env: NodeJS.ProcessEnv) {
    this.baseUrl = (env.FICUS_REGISTRY_URL || defaultRegistryUrl).replace(/\/+$/, '');
    this.headers = authorizationOf(env.FICUS_API_KEY || undefined);
    this.timeoutMs = clientTimeoutMs(env);
  }

  /**
   * The `data` of one operation, which must hold `field` (the operation's root field); an
   * unreachable registry, GraphQL errors and an answer of another shape (a server that is not a
   * Ficus registry) become an `InputError` (exit 1) with a one-line reason.
   */
  async request<T extends object>(query: string, variables: Record<string, unknown>, field: keyof T & string): Promise<T> {
    const who = `the registry at ${this.baseUrl}`;
    const { status, body } = await postJson(`${this.baseUrl}/graphql`, { query, variables }, this.headers, this.timeoutMs, who);
    if (typeof body !== 'object' || body === null) throw new InputError(`${who} answered ${status} without a GraphQL body`, 'REGISTRY_UNREACHABLE');
    const { data, errors } = body as GraphQLAnswer;
    const [error] = Array.isArray(errors) ? errors : [];
    if (error) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'ERROR';
      throw new InputError(`${code}: ${typeof error.message === 'string' ? error.message : 'no message'}`, code);
    }
    if (typeof data !== 'object' || data === null || !(field in data)) {
      throw new InputError(`${who} answered ${status} without ${field} in its data: is it a Ficus registry?`, 'REGISTRY_UNREACHABLE');
    }
    return data as T;
  }
}

function authorizationOf(apiKey: string | undefined): Record<string, string> {
  if (!apiKey) return {};
  // A key pasted with a line break or a typographic character cannot be sent; the message must not print it.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new InputError('FICUS_API_KEY holds a character an HTTP header cannot carry (a space, a line break or a non-ASCII character): set it again from the key', 'CONFIG_INVALID');
  }
  return { authorization: `Bearer ${apiKey}` };
}
