import type { FastifyPluginAsync } from 'fastify';

// Until the web UI lands (issue 7), `/` says what is running and where to look.
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cscx-zendesk</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>cscx-zendesk</h1>
<p>The CSCX Zendesk integration is running.</p>
<ul><li><a href="/healthz">/healthz</a>: alive</li><li><a href="/readyz">/readyz</a>: database reachable and migrated</li></ul>
</body></html>`;

export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { public: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
};
