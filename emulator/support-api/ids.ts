/**
 * Id layout. Zendesk ids are large integers (e.g. 360000000001), unique across an account's
 * resources; ticket ids are the account's own sequence starting at 1. Each subdomain gets its
 * own block of a billion ids so two emulated accounts never share a user or org id.
 */
import { hashString } from '../generation/random.ts';

/** The "Customer ID" text field and "Product area" drop-down every emulated account has. */
export const CUSTOMER_ID_FIELD_ID = 360000000001;
export const PRODUCT_AREA_FIELD_ID = 360000000002;

export interface IdLayout {
  base: number;
  organization(index: number): number;
  user(index: number): number;
  group(index: number): number;
  customStatus(index: number): number;
  brand: number;
  metricForTicket(ticketId: number): number;
  ticketForMetric(metricId: number): number | null;
  rating(index: number): number;
  audit(index: number): number;
  comment(index: number): number;
  /** Audits and comments share one index sequence: the audit that added comment C. */
  auditForComment(commentId: number): number;
}

const OFFSETS = {
  group: 100,
  customStatus: 300,
  brand: 400,
  organization: 1_000_000,
  user: 10_000_000,
  metric: 100_000_000,
  rating: 200_000_000,
  audit: 300_000_000,
  comment: 500_000_000,
} as const;

export function idLayoutFor(subdomain: string): IdLayout {
  const base = 360_000_000_000 + (hashString(subdomain) % 400) * 1_000_000_000;
  return {
    base,
    organization: (index) => base + OFFSETS.organization + index,
    user: (index) => base + OFFSETS.user + index,
    group: (index) => base + OFFSETS.group + index,
    customStatus: (index) => base + OFFSETS.customStatus + index,
    brand: base + OFFSETS.brand,
    metricForTicket: (ticketId) => base + OFFSETS.metric + ticketId,
    ticketForMetric: (metricId) => {
      const ticketId = metricId - base - OFFSETS.metric;
      return ticketId > 0 && ticketId < OFFSETS.rating - OFFSETS.metric ? ticketId : null;
    },
    rating: (index) => base + OFFSETS.rating + index,
    audit: (index) => base + OFFSETS.audit + index,
    comment: (index) => base + OFFSETS.comment + index,
    auditForComment: (commentId) => commentId - OFFSETS.comment + OFFSETS.audit,
  };
}
