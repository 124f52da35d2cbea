import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.ts';
import { registerAuth } from './auth.ts';
import { registerErrorHandler } from './error-handler.ts';
import { registerOpenApi } from './openapi.ts';
import { registerSecurity } from './security.ts';
import { prometheusRoutes } from './routes/prometheus.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { connectionRoutes } from './routes/connections.routes.ts';
import { customerRoutes } from './routes/customers.routes.ts';
import { mappingRoutes } from './routes/mapping.routes.ts';
import { ticketRoutes } from './routes/tickets.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { alertsRoutes } from './routes/alerts.routes.ts';
import { alertFollowsRoutes } from './routes/alert-follows.routes.ts';
import { notificationsRoutes } from './routes/notifications.routes.ts';
import { healthScoreRoutes } from './routes/health-score.routes.ts';
import { webhookRoutes } from './routes/webhook.routes.ts';
import { chatRoutes } from './routes/chat.routes.ts';
import { escalationRuleRoutes } from './routes/escalation-rule.routes.ts';
import { slaTargetsRoutes } from './routes/sla-targets.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { uiRoutes } from './routes/ui.routes.ts';
import { eventsRoutes } from './routes/events.routes.ts';

/** Builds the HTTP app without listening, so that tests drive it through `inject()`. */
export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is Fastify's logger; only the generic parameters differ.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A JSON request with an empty body is a request without a body (clients often send the header
  // on every request): a route whose body is optional takes it, one that needs a body says so.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, String(body), done),
  );
  registerErrorHandler(app);
  await registerSecurity(app, deps);
  await registerAuth(app, deps);
  // Before the routes: the OpenAPI document is collected from them as they are added.
  await registerOpenApi(app, deps);
  await app.register(healthRoutes(deps));
  await app.register(prometheusRoutes(deps));
  await app.register(authRoutes(deps));
  await app.register(connectionRoutes(deps));
  await app.register(customerRoutes(deps));
  await app.register(ticketRoutes(deps));
  await app.register(metricsRoutes(deps));
  await app.register(alertsRoutes(deps));
  await app.register(alertFollowsRoutes(deps));
  await app.register(notificationsRoutes(deps));
  await app.register(healthScoreRoutes(deps));
  await app.register(mappingRoutes(deps));
  await app.register(chatRoutes(deps));
  await app.register(escalationRuleRoutes(deps));
  await app.register(slaTargetsRoutes(deps));
  await app.register(webhookRoutes(deps, (connectionId) => deps.syncRequests.processWebhooks(connectionId)));
  await app.register(eventsRoutes(deps));
  await app.register(uiRoutes());
  return app;
}
