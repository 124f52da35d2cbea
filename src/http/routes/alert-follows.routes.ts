/**
 * Following customer accounts (any role) and the team's alert webhook (admins): the ways an
 * alert reaches people beyond its routing (see alert-raising.repo.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/alerts.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { getTeamWebhook, setTeamWebhook } from '../../modules/alerts/alert-webhooks.ts';
import { customerExists, deleteFollow, selectFollows, upsertFollow, type Follow } from '../../modules/alerts/follows.repo.ts';

const viewFollow = (follow: Follow): contract.CustomerFollow => ({ ...follow, followedAt: follow.followedAt.toISOString() });

export function alertFollowsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      contract.listAlertFollows.path,
      // Any signed-in role: the caller's own follows.
      { config: {}, schema: { response: { 200: contract.listAlertFollows.response } } },
      async (request) => ({ follows: (await selectFollows(deps.db, request.user!.id)).map(viewFollow) }),
    );

    app.put(
      contract.followCustomer.path,
      {
        // Any signed-in role may follow any customer (a named customer is readable by every role).
        config: {},
        schema: { params: contract.followCustomer.params, body: contract.followCustomer.body, response: { 200: contract.followCustomer.response } },
      },
      async (request) => {
        const follow = await upsertFollow(deps.db, request.user!.id, request.params.id, request.body?.types ?? null);
        if (!follow) throw new AppError('not_found', `no customer ${request.params.id}`);
        return { follow: viewFollow(follow) };
      },
    );

    app.delete(
      contract.unfollowCustomer.path,
      { config: {}, schema: { params: contract.unfollowCustomer.params, response: { 200: contract.unfollowCustomer.response } } },
      async (request) => {
        const unfollowed = await deleteFollow(deps.db, request.user!.id, request.params.id);
        if (!unfollowed && !(await customerExists(deps.db, request.params.id))) throw new AppError('not_found', `no customer ${request.params.id}`);
        return { unfollowed };
      },
    );

    app.get(
      contract.getTeamWebhook.path,
      { config: { roles: ['admin'] }, schema: { response: { 200: contract.getTeamWebhook.response } } },
      async () => ({ webhook: await getTeamWebhook(deps) }),
    );

    app.put(
      contract.setTeamWebhook.path,
      { config: { roles: ['admin'] }, schema: { body: contract.setTeamWebhook.body, response: { 200: contract.setTeamWebhook.response } } },
      async (request) => ({ webhook: await setTeamWebhook(deps, request.user!.id, request.body) }),
    );
  };
}
