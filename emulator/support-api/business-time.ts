/**
 * Business time for ticket metrics. Zendesk computes business minutes against the schedule
 * applied to the ticket (support.zendesk.com/hc/en-us/articles/4408834848154); which schedule is
 * an account setting, so the emulator's accounts share one: Monday to Friday 09:00-17:00 UTC.
 *
 * O(1): business time between two instants is B(end) - B(start), with B counting business
 * milliseconds since the epoch (1970-01-01 was a Thursday).
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const OPEN_HOUR = 9;
const HOURS_PER_DAY = 8;
const EPOCH_WEEKDAY = 4; // Thursday; 0 = Sunday

function isWorkday(weekday: number): boolean {
  return weekday !== 0 && weekday !== 6;
}

/** Workdays among `count` consecutive days starting on `firstWeekday`. */
function workdaysIn(count: number, firstWeekday: number): number {
  let workdays = Math.floor(count / 7) * 5;
  for (let k = 0; k < count % 7; k++) if (isWorkday((firstWeekday + k) % 7)) workdays++;
  return workdays;
}

function businessMsSinceEpoch(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
  const fullDays = workdaysIn(day, EPOCH_WEEKDAY) * HOURS_PER_DAY * HOUR_MS;
  if (!isWorkday(weekday)) return fullDays;
  const intoDay = ms - day * DAY_MS - OPEN_HOUR * HOUR_MS;
  return fullDays + Math.min(Math.max(intoDay, 0), HOURS_PER_DAY * HOUR_MS);
}

export function businessMsBetween(startMs: number, endMs: number): number {
  if (endMs <= startMs) return 0;
  return businessMsSinceEpoch(endMs) - businessMsSinceEpoch(startMs);
}
