/**
 * Query parameters as the API reads them: text on the wire, checked and turned into values here,
 * each error naming what to use instead.
 */
import { z } from 'zod';

/** A comma-separated list of known values, e.g. `type=escalation,sla_breach`; null when absent. */
export function listParam<T extends string>(name: string, known: readonly T[]) {
  return z
    .string({ error: 'must be given once, as text' })
    .optional()
    .transform((text, ctx): T[] | null => {
      if (text === undefined || text === '') return null;
      const values = text.split(',').map((v) => v.trim());
      const unknown = values.filter((v) => !(known as readonly string[]).includes(v));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `"${unknown.join(',')}" is not a ${name}; use ${known.join(', ')}` });
        return z.NEVER;
      }
      return values as T[];
    });
}

/** `days=` one of the ranges a chart offers; 30 when absent. */
export function rangeParam<const R extends readonly number[]>(ranges: R) {
  return z
    .string({ error: 'must be given once, as text' })
    .optional()
    .transform((text, ctx): R[number] => {
      if (text === undefined) return 30;
      const days = ranges.find((range) => String(range) === text);
      if (days === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a range; use ${ranges.join(', ')}` });
        return z.NEVER;
      }
      return days;
    });
}

/** A flag given as `true` or `false`. */
export const trueOrFalse = (error: string) => z.enum(['true', 'false'], { error });

/** Runs a parser that answers a value or `{ error }`, as a zod transform of an optional parameter. */
export function parsed<T>(parse: (text: string) => T | { error: string }) {
  return z
    .string({ error: 'must be given once, as text' })
    .optional()
    .transform((text, ctx): T | null => {
      if (text === undefined) return null;
      const result = parse(text);
      if (result && typeof result === 'object' && 'error' in result) {
        ctx.addIssue({ code: 'custom', message: result.error });
        return z.NEVER;
      }
      return result as T;
    });
}
