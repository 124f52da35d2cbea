/**
 * "Ask CSCX": a chat panel on every page. Sends {message} to POST /api/chat and shows the answer's
 * reply, its suggestions as buttons, and its data generically (ticket lists as tables, metrics as
 * facts, anything else as a small table or text). Everything shown is text: React escapes it, so
 * a ticket subject can never become markup. The conversation is kept for the browser session.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, ApiError } from '../api.ts';
import { askChat, type ChatSuggestion } from '../../../src/contracts/chat.ts';

interface ChatEntry {
  id: number;
  from: 'me' | 'cscx';
  text: string;
  data?: unknown;
  suggestions?: ChatSuggestion[];
  error?: boolean;
}

/** Suggestions come as text or as {label, message}; anything else is left out. */
export function toSuggestions(list: unknown): ChatSuggestion[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): ChatSuggestion[] => {
    if (typeof item === 'string') return [{ label: item, message: item }];
    if (item && typeof item === 'object' && typeof (item as ChatSuggestion).message === 'string') {
      const { label, message } = item as ChatSuggestion;
      return [{ label: typeof label === 'string' ? label : message, message }];
    }
    return [];
  });
}

const STORAGE = 'cscx.chat';
const STARTERS: ChatSuggestion[] = ['Which customers are at risk?', 'Show open urgent tickets', 'help'].map((text) => ({ label: text, message: text }));

function loadHistory(): ChatEntry[] {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE) ?? '[]') as ChatEntry[];
  } catch {
    return [];
  }
}

export function ChatPanel() {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<ChatEntry[]>(loadHistory);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    try {
      sessionStorage.setItem(STORAGE, JSON.stringify(entries.slice(-50)));
    } catch {
      // storage full or unavailable: the conversation lives in memory only
    }
    logRef.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [entries]);
  useEffect(() => {
    if (open) inputRef.current?.focus();
  }, [open]);

  const ask = async (message: string) => {
    const trimmed = message.trim();
    if (!trimmed || busy) return;
    const id = Date.now();
    setEntries((list) => [...list, { id, from: 'me', text: trimmed }]);
    setText('');
    setBusy(true);
    try {
      const answer = await call(askChat, { body: { message: trimmed } });
      const reply = typeof answer.reply === 'string' ? answer.reply : '';
      setEntries((list) => [...list, { id: id + 1, from: 'cscx', text: reply, data: answer.data, suggestions: toSuggestions(answer.suggestions) }]);
    } catch (error) {
      const text = error instanceof ApiError && error.status === 404 && error.code === 'not_found' && /no route/.test(error.serverMessage) ? 'Chat is not available on this server yet.' : error instanceof Error ? error.message : 'The question could not be answered. Try again.';
      setEntries((list) => [...list, { id: id + 1, from: 'cscx', text, error: true }]);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void ask(text);
  };

  if (!open) {
    return (
      <button type="button" className="chat-toggle primary" onClick={() => setOpen(true)} aria-expanded={false} aria-controls="chat-panel">
        Ask CSCX
      </button>
    );
  }
  const last = entries.at(-1);
  const suggestions = last?.from === 'cscx' && last.suggestions?.length ? last.suggestions : entries.length === 0 ? STARTERS : [];
  return (
    <aside className="chat" id="chat-panel" aria-labelledby="chat-title">
      <div className="chat-head">
        <h2 id="chat-title">Ask CSCX</h2>
        <div>
          {entries.length > 0 && (
            <button type="button" className="link-button" onClick={() => setEntries([])}>
              Clear
            </button>
          )}{' '}
          <button type="button" className="link-button" onClick={() => setOpen(false)} aria-label="Close chat">
            Close
          </button>
        </div>
      </div>
      <ol className="chat-log" ref={logRef} aria-live="polite" aria-label="Conversation">
        {entries.length === 0 && <li className="muted small">Ask about your customers, their tickets, health and alerts.</li>}
        {entries.map((entry) => (
          <li key={entry.id} className={`chat-entry from-${entry.from} ${entry.error ? 'error' : ''}`}>
            <span className="sr-only">{entry.from === 'me' ? 'You:' : 'CSCX:'}</span>
            <p>{entry.text}</p>
            {entry.data !== undefined && entry.data !== null && <ChatData data={entry.data} onAsk={(message) => void ask(message)} />}
          </li>
        ))}
        {busy && (
          <li className="chat-entry from-cscx muted" role="status">
            Thinking…
          </li>
        )}
      </ol>
      {suggestions.length > 0 && (
        <div className="chat-suggestions" role="group" aria-label="Suggestions">
          {suggestions.map((s) => (
            <button key={s.label + s.message} type="button" onClick={() => void ask(s.message)} disabled={busy}>
              {s.label}
            </button>
          ))}
        </div>
      )}
      <form onSubmit={submit} className="chat-form">
        <label htmlFor="chat-input" className="sr-only">
          Your question
        </label>
        <input id="chat-input" ref={inputRef} value={text} onChange={(event) => setText(event.target.value)} placeholder="Ask a question" autoComplete="off" maxLength={2000} />
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          Send
        </button>
      </form>
    </aside>
  );
}

type Row = Record<string, unknown>;
const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : value.toFixed(2);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(cell).join(', ');
  return JSON.stringify(value);
}

function label(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const isChoice = (value: unknown): value is ChatSuggestion => isRow(value) && typeof value.message === 'string' && typeof value.label === 'string';

/**
 * Any JSON the chat answers with, as readable text: lists of objects as tables, objects as facts,
 * lists of {label, message} as buttons that ask that message.
 */
export function ChatData({ data, depth = 0, onAsk }: { data: unknown; depth?: number; onAsk?: (message: string) => void }) {
  if (Array.isArray(data)) {
    if (data.length === 0) return <p className="muted small">Nothing found.</p>;
    if (onAsk && data.every(isChoice)) {
      return (
        <div className="row">
          {data.map((choice) => (
            <button key={choice.label + choice.message} type="button" onClick={() => onAsk(choice.message)}>
              {choice.label}
            </button>
          ))}
        </div>
      );
    }
    if (data.every(isRow)) {
      const preferred = ['zendeskTicketId', 'subject', 'name', 'status', 'priority', 'customerName', 'health', 'openTickets', 'type', 'occurredAt'];
      const keys = [...new Set(data.flatMap((row) => Object.keys(row)))].filter((k) => !isRow(data[0]?.[k]) && k !== 'url' && k !== 'id');
      const columns = [...preferred.filter((k) => keys.includes(k)), ...keys.filter((k) => !preferred.includes(k))].slice(0, 5);
      return (
        <table className="table compact chat-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {label(c)}
                </th>
              ))}
              {data.some((row) => typeof row.url === 'string') && <th scope="col">Link</th>}
            </tr>
          </thead>
          <tbody>
            {data.slice(0, 20).map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c}>{cell(row[c])}</td>
                ))}
                {typeof row.url === 'string' && /^https?:\/\//.test(row.url) && (
                  <td>
                    <a href={row.url} target="_blank" rel="noopener noreferrer">
                      Open<span className="sr-only"> in a new tab</span>
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    return <p>{data.map(cell).join(', ')}</p>;
  }
  if (isRow(data)) {
    if (depth > 1) return <span>{cell(data)}</span>;
    return (
      <dl className="chat-facts">
        {Object.entries(data)
          .filter(([key, value]) => key !== 'kind' && value !== null && value !== undefined)
          .map(([key, value]) => (
            <div key={key}>
              <dt>{label(key)}</dt>
              <dd>{Array.isArray(value) || isRow(value) ? <ChatData data={value} depth={depth + 1} onAsk={onAsk} /> : cell(value)}</dd>
            </div>
          ))}
      </dl>
    );
  }
  return <p>{cell(data)}</p>;
}
