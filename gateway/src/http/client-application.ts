/** The client application, as Apollo clients name themselves, for usage reporting. */
export function clientApplicationOf(header: (name: string) => string | undefined): { name: string; version: string } {
  return { name: header('apollographql-client-name') ?? '', version: header('apollographql-client-version') ?? '' };
}
