import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { signIn, signOut } from '../../modules/users/auth.service.ts';
import { beginSignInAttempt, signInSucceeded } from '../../modules/users/sign-in-throttle.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { clientAddress } from '../security.ts';

import * as contract from '../../contracts/auth.ts';

export function authRoutes(deps: Deps): FastifyPluginAsyncZod {
  const secureCookie = publicUrl(deps.config).startsWith('https://');
  return async (app) => {
    app.post(
      '/api/auth/sign-in',
      {
        // Sign-in is the one place a guesser can work: failures are throttled per account and per
        // address in the database, for all server processes alike (sign-in-throttle.ts).
        config: { public: true },
        schema: {
          body: contract.signIn.body,
          response: { 200: contract.signIn.response },
        },
      },
      async (request, reply) => {
        const attempt = { email: request.body.email, address: clientAddress(request, deps.config.TRUST_PROXY) };
        const verdict = await beginSignInAttempt(deps.db, attempt, Date.now());
        if (!verdict.allowed) {
          request.log.warn({ throttled: verdict.scope, retryAfterSeconds: verdict.retryAfterSeconds }, 'sign-in refused: too many failures');
          const whose = verdict.scope === 'account' ? 'for this account' : 'from your address';
          reply.header('retry-after', String(verdict.retryAfterSeconds));
          throw new AppError('rate_limited', `Too many failed sign-ins ${whose}; try again in ${verdict.retryAfterSeconds} s`);
        }
        const result = await signIn(deps.db, request.body.email, request.body.password);
        if (!result) throw new AppError('unauthorized', 'the email or the password is wrong');
        await signInSucceeded(deps.db, attempt);
        reply.setCookie(SESSION_COOKIE, result.sessionToken, {
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookie,
          path: '/',
          expires: result.expiresAt,
        });
        return { user: result.user, csrfToken: result.csrfToken };
      },
    );

    // Not public: a session's sign-out is a write like any other, so it needs the session's CSRF
    // token (auth.ts), and a cross-site form cannot end it. An API-key caller has no session to end.
    app.post('/api/auth/sign-out', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (request.authMethod === 'session' && token) {
        await signOut(deps.db, token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
      return reply.status(204).send();
    });

    app.get('/api/auth/me', { schema: { response: { 200: contract.getMe.response } } }, async (request) => ({
      user: request.user as contract.User,
    }));
  };
}
