/**
 * One API call described once: its method, its path (path parameters as `:name`), the schemas of
 * what the caller sends and of what the server answers. The routes validate with these schemas;
 * the web client derives its types from them, so that the two cannot drift apart.
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface EndpointSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The answer of a success (200), or the answers by status when a call has more than one. */
  readonly response: z.ZodType | { readonly [status: number]: z.ZodType };
}

/** Keeps the literal types of a spec (its schemas and path), which the client's types read. */
export function endpoint<const Spec extends EndpointSpec>(spec: Spec): Spec {
  return spec;
}

/** What a successful call answers (any of its success statuses). */
export type EndpointAnswer<E extends EndpointSpec> = E['response'] extends z.ZodType
  ? z.output<E['response']>
  : E['response'] extends { readonly [status: number]: infer S extends z.ZodType }
    ? z.output<S>
    : never;

export function isEndpoint(value: unknown): value is EndpointSpec {
  return typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'response' in value;
}
