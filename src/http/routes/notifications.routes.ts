/**
 * How alerts reach each person: their notification settings (GET/PUT /api/me/notifications, for
 * themselves, any role) and their deliveries (GET /api/alerts/deliveries: the failed ones by
 * default; admins may ask for everyone's).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import * as contract from '../../contracts/notifications.ts';
import { AppError } from '../../lib/errors.ts';
import { selectDeliveries, type DeliveryRow } from '../../modules/alerts/alert-deliveries.repo.ts';
import { databaseKnowsTimeZone, selectNotificationSettings, updateNotificationSettings, type NotificationSettingsRow } from '../../modules/users/notification-settings.repo.ts';

const DEFAULT_DELIVERIES = 100;

function viewDelivery(row: DeliveryRow): contract.Delivery {
  return {
    alertId: row.alert_id,
    alertType: row.alert_type as contract.Delivery['alertType'],
    customerId: row.customer_id,
    customerName: row.customer_name,
    userId: row.user_id,
    userName: row.user_name,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    alertOccurredAt: row.occurred_at.toISOString(),
  };
}

export function notificationsRoutes(deps: Deps): FastifyPluginAsyncZod {
  const answer = (row: NotificationSettingsRow): contract.NotificationsAnswer => ({
    settings: { email: row.email, timeZone: row.timeZone, digestHour: row.digestHour, digestEnabled: row.digestEnabled },
    address: row.address,
    mailConfigured: deps.config.SMTP_URL !== undefined,
  });
  const gone = () => new AppError('not_found', 'your user no longer exists or is disabled');

  return async (app) => {
    app.get(
      contract.getNotifications.path,
      // Any signed-in role, for themselves.
      { config: {}, schema: { response: { 200: contract.getNotifications.response } } },
      async (request) => {
        const row = await selectNotificationSettings(deps.db, request.user!.id);
        if (!row) throw gone();
        return answer(row);
      },
    );

    app.put(
      contract.setNotifications.path,
      { config: {}, schema: { body: contract.setNotifications.body, response: { 200: contract.setNotifications.response } } },
      async (request) => {
        const change = request.body;
        // The digest's schedule is computed by the database: a zone it does not know would stop everyone's digest.
        if (change.timeZone !== undefined && !(await databaseKnowsTimeZone(deps.db, change.timeZone))) {
          const message = `"${change.timeZone}" is not a time zone the database knows; use an IANA name such as Europe/Paris, America/New_York or UTC`;
          throw new AppError('validation_failed', `timeZone: ${message}`, [{ field: 'timeZone', message }]);
        }
        const row = await updateNotificationSettings(deps.db, request.user!.id, change);
        if (!row) throw gone();
        return answer(row);
      },
    );

    app.get(
      contract.listDeliveries.path,
      // Any signed-in role sees their own; `all=true` is for admins.
      { config: {}, schema: { querystring: contract.listDeliveries.query, response: { 200: contract.listDeliveries.response } } },
      async (request) => {
        const user = request.user!;
        const all = request.query.all === 'true';
        if (all && user.role !== 'admin') throw new AppError('forbidden', "only admins may list everyone's deliveries (all=true); leave it out to list your own");
        const rows = await selectDeliveries(deps.db, { userId: all ? null : user.id, status: request.query.status, limit: request.query.limit ?? DEFAULT_DELIVERIES });
        return { deliveries: rows.map(viewDelivery) };
      },
    );
  };
}
