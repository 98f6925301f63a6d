/**
 * How a request is named in the route and trace lists: `GET /orders/:id`. A request that no
 * route matched (a 404) has its span named by the method alone, so a trace would read
 * `GET GET`: it reads `GET (unmatched)`, as the route metrics name such requests.
 */
export function requestLabel(method: string | null, route: string | null, spanName = ''): string {
  if (route === null) return spanName;
  if (method !== null && route === method) return `${method} (unmatched)`;
  return `${method ?? ''} ${route}`.trim();
}
