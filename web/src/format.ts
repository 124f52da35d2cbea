/** Numbers and times in the words a CSM reads (English, the browser's time zone). */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const ms = now - new Date(iso).getTime();
  const future = ms < 0;
  const abs = Math.abs(ms);
  let text: string;
  if (abs < MINUTE) return future ? 'in a moment' : 'just now';
  if (abs < HOUR) text = `${Math.round(abs / MINUTE)} min`;
  else if (abs < DAY) text = `${Math.round(abs / HOUR)} h`;
  else if (abs < 60 * DAY) text = `${Math.round(abs / DAY)} d`;
  else return new Date(iso).toLocaleDateString('en', { day: 'numeric', month: 'short', year: 'numeric' });
  return future ? `in ${text}` : `${text} ago`;
}

/** How long a ticket has been open: "3 d", "5 h". */
export function age(iso: string, now = Date.now()): string {
  const ms = Math.max(0, now - new Date(iso).getTime());
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / MINUTE))} min`;
  if (ms < DAY) return `${Math.round(ms / HOUR)} h`;
  return `${Math.round(ms / DAY)} d`;
}

export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function time(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  return sameDay ? date.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }) : dateTime(iso);
}

export function percent(share: number | null, digits = 0): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(digits)}%`;
}

export function hours(value: number | null): string {
  if (value === null) return 'n/a';
  if (value < 1) return `${Math.round(value * 60)} min`;
  if (value < 48) return `${value.toFixed(1)} h`;
  return `${(value / 24).toFixed(1)} d`;
}

export function count(value: number): string {
  return value.toLocaleString('en');
}

export function duration(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function score(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : String(Math.round(value));
}
