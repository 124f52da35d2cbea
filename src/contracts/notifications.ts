/**
 * How alerts reach each person: their own notification settings (alerts by email, the daily
 * digest's hour in their time zone), and the deliveries (emails, webhook posts) that failed.
 */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { ALERT_TYPES } from './vocabulary.ts';

/** The IANA name of a time zone as the runtime knows it (e.g. "europe/paris" becomes "Europe/Paris"); null when unknown. */
export function canonicalTimeZone(name: string): string | null {
  // Offsets ("+05:00") and POSIX rules are not names: PostgreSQL reads their sign the other way round.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const TIME_ZONE_ERROR = 'is not a time zone; use an IANA name such as Europe/Paris, America/New_York or UTC';

export const notificationSettings = z.object({
  email: z.boolean().describe('Alerts also arrive by email (when mail is configured on the server)'),
  timeZone: z.string().describe('IANA time zone the daily digest is scheduled in'),
  digestHour: z.number().int().describe('Hour of the day (0-23, in timeZone) the daily digest is sent'),
  digestEnabled: z.boolean().describe('Whether the daily digest is sent (it goes by email: needs email on too)'),
});
export type NotificationSettings = z.output<typeof notificationSettings>;

export const notificationsAnswer = z.object({
  settings: notificationSettings,
  /** Where the mails go. */
  address: z.string().nullable().describe('The email address alerts and digests are sent to'),
  mailConfigured: z.boolean().describe('Whether the server sends mail at all (SMTP_URL); when false, no email leaves, whatever the settings'),
});
export type NotificationsAnswer = z.output<typeof notificationsAnswer>;

/** What changes; a field left out keeps its value. */
export const setNotificationsBody = z.strictObject({
  email: z.boolean({ error: 'is not true or false' }).optional(),
  timeZone: z
    .string({ error: TIME_ZONE_ERROR })
    .trim()
    .max(100, TIME_ZONE_ERROR)
    .transform((name, ctx) => {
      const zone = canonicalTimeZone(name);
      if (zone === null) {
        ctx.addIssue({ code: 'custom', message: TIME_ZONE_ERROR });
        return z.NEVER;
      }
      return zone;
    })
    .optional(),
  digestHour: z.number({ error: 'is not an hour from 0 to 23' }).int('is not a whole hour from 0 to 23').min(0, 'is not an hour from 0 to 23').max(23, 'is not an hour from 0 to 23').optional(),
  digestEnabled: z.boolean({ error: 'is not true or false' }).optional(),
});

export const getNotifications = endpoint({ method: 'GET', path: '/api/me/notifications', response: notificationsAnswer });
export const setNotifications = endpoint({ method: 'PUT', path: '/api/me/notifications', body: setNotificationsBody, response: notificationsAnswer });

export const DELIVERY_STATUSES = ['failed', 'pending', 'delivered'] as const;
export const DELIVERY_CHANNELS = ['email', 'webhook', 'team_webhook'] as const;
const MAX_DELIVERIES = 200;

export const listDeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `is not a delivery status; use ${DELIVERY_STATUSES.join(', ')}` }).default('failed'),
  all: z.enum(['true', 'false'], { error: 'use true or false' }).optional().describe("true: everyone's deliveries (admins only)"),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `is not a page size; use a whole number from 1 to ${MAX_DELIVERIES}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_DELIVERIES, `is not a page size; use a whole number from 1 to ${MAX_DELIVERIES}`)
    .optional(),
});

export const delivery = z.object({
  alertId: z.string(),
  alertType: z.enum(ALERT_TYPES),
  customerId: z.string(),
  customerName: z.string(),
  userId: z.string(),
  userName: z.string(),
  channel: z.enum(DELIVERY_CHANNELS),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable().describe('Why the last attempt failed (addresses shortened to their host: no URL path or credentials)'),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe('When a pending delivery is tried again; null once delivered or failed for good'),
  alertOccurredAt: z.string(),
});
export type Delivery = z.output<typeof delivery>;

export const deliveryList = z.object({ deliveries: z.array(delivery) });
export const listDeliveries = endpoint({ method: 'GET', path: '/api/alerts/deliveries', query: listDeliveriesQuery, response: deliveryList });
