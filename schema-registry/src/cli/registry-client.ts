import { InputError } from './command';

export const defaultRegistryUrl = 'http://127.0.0.1:4100';

/** The registry's GraphQL API, as `FICUS_REGISTRY_URL` and `FICUS_API_KEY` name it. */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;

  constructor(env: NodeJS.ProcessEnv) {
    this.baseUrl = (env.FICUS_REGISTRY_URL || defaultRegistryUrl).replace(/\/+$/, '');
    this.apiKey = env.FICUS_API_KEY || undefined;
  }

  /** The `data` of one operation; unreachable registries and GraphQL errors become an `InputError` (exit 1) with a one-line reason. */
  async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new InputError(`cannot reach the registry at ${this.baseUrl}: ${causeOf(err)}`, 'REGISTRY_UNREACHABLE');
    }
    const body = (await response.json().catch(() => null)) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    if (!body) throw new InputError(`the registry at ${this.baseUrl} answered ${response.status} without a GraphQL body`, 'REGISTRY_UNREACHABLE');
    const [error] = body.errors ?? [];
    if (error) throw new InputError(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`, error.extensions?.code ?? 'ERROR');
    return body.data as T;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
