/** Signing in and out, and who is signed in. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { ROLES } from './vocabulary.ts';

export const user = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });
export type User = z.output<typeof user>;

export const signInBody = z.object({ email: z.string().trim().min(1, 'is required'), password: z.string().min(1, 'is required') });

export const signIn = endpoint({ method: 'POST', path: '/api/auth/sign-in', body: signInBody, response: z.object({ user, csrfToken: z.string() }) });
/** Ends the session (204, no content). */
export const signOut = endpoint({ method: 'POST', path: '/api/auth/sign-out', response: { 204: z.undefined() } });
export const getMe = endpoint({ method: 'GET', path: '/api/auth/me', response: z.object({ user }) });
