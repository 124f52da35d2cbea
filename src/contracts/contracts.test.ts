/**
 * Some API vocabulary still has a second home in the domain modules, which predate the contracts:
 * the two must say the same until the modules import them from here.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALERT_STATUSES as MODULE_ALERT_STATUSES } from '../modules/alerts/alerts.repo.ts';
import { CHAT_INTENTS as MODULE_CHAT_INTENTS, CHAT_STATUSES as MODULE_CHAT_STATUSES } from '../modules/chat/chat-parser.ts';
import { CHAT_MESSAGE_MAX_LENGTH as MODULE_CHAT_MESSAGE_MAX_LENGTH } from '../modules/chat/chat.service.ts';
import { SIGNAL_NAMES as MODULE_SIGNAL_NAMES } from '../modules/health/health-score.ts';
import { HEALTH_RANGES as MODULE_HEALTH_RANGES } from '../modules/health/health.service.ts';
import { METRICS_RANGES as MODULE_METRICS_RANGES } from '../modules/metrics/metrics.service.ts';
import { slaTargetsSchema } from '../modules/metrics/sla-targets.ts';
import { escalationRuleSchema } from '../modules/ingest/escalation-rule.ts';
import { MATCH_METHODS as MODULE_MATCH_METHODS, TICKET_SORTS as MODULE_TICKET_SORTS } from '../modules/tickets/ticket-list.ts';
import * as tickets from '../modules/tickets/tickets.service.ts';
import { ALERT_STATUSES } from './alerts.ts';
import { CHAT_INTENTS, CHAT_MESSAGE_MAX_LENGTH, CHAT_STATUSES } from './chat.ts';
import { escalationRuleBody } from './escalation-rule.ts';
import { HEALTH_RANGES, SIGNAL_NAMES } from './health-score.ts';
import { METRICS_RANGES } from './metrics.ts';
import { slaTargets } from './sla-targets.ts';
import { DEFAULT_TICKET_PAGE_SIZE, MATCH_METHODS, MAX_TICKET_PAGE_SIZE, NOTE_MAX_LENGTH, TICKET_SORTS } from './tickets.ts';

describe('the contracts and the modules', () => {
  it('name the same values', () => {
    expect(ALERT_STATUSES).toEqual(MODULE_ALERT_STATUSES);
    expect(CHAT_INTENTS).toEqual(MODULE_CHAT_INTENTS);
    expect(CHAT_STATUSES).toEqual(MODULE_CHAT_STATUSES);
    expect(CHAT_MESSAGE_MAX_LENGTH).toBe(MODULE_CHAT_MESSAGE_MAX_LENGTH);
    expect(SIGNAL_NAMES).toEqual(MODULE_SIGNAL_NAMES);
    expect(HEALTH_RANGES).toEqual(MODULE_HEALTH_RANGES);
    expect(METRICS_RANGES).toEqual(MODULE_METRICS_RANGES);
    expect(TICKET_SORTS).toEqual(MODULE_TICKET_SORTS);
    expect(MATCH_METHODS).toEqual(MODULE_MATCH_METHODS);
    expect([DEFAULT_TICKET_PAGE_SIZE, MAX_TICKET_PAGE_SIZE, NOTE_MAX_LENGTH]).toEqual([tickets.DEFAULT_PAGE_SIZE, tickets.MAX_PAGE_SIZE, tickets.NOTE_MAX_LENGTH]);
  });

  it('accept the same escalation rules and SLA targets', () => {
    expect(z.toJSONSchema(escalationRuleBody, { io: 'input' })).toEqual(z.toJSONSchema(escalationRuleSchema, { io: 'input' }));
    expect(z.toJSONSchema(slaTargets, { io: 'input' })).toEqual(z.toJSONSchema(slaTargetsSchema, { io: 'input' }));
  });
});
