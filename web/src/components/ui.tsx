import { Component, type ReactNode } from 'react';
import { errorText } from '../api.ts';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}…
    </p>
  );
}

/** A failure in words, with the way forward. */
export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="error-note" role="alert">
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** How a save went: the server's refusal in words, or what was saved (said once it is). */
export function SaveOutcome<T>({ save, saved }: { save: { isError: boolean; error: unknown; isSuccess: boolean; data: T | undefined }; saved: (data: T) => ReactNode }) {
  if (save.isError) {
    return (
      <p className="error-text" role="alert">
        {errorText(save.error)}
      </p>
    );
  }
  if (!save.isSuccess || save.data === undefined) return null;
  return (
    <p className="success-text" role="status">
      {saved(save.data)}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Card({ title, actions, children, className = '', id }: { title: string; actions?: ReactNode; children: ReactNode; className?: string; id?: string }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className={`card ${className}`} aria-labelledby={headingId} id={id}>
      <div className="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Buttons that pick one of a few values (a radio group, keyboard-friendly). */
export function Segmented<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: Array<{ value: T; label: string }>; onChange: (value: T) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          role="radio"
          aria-checked={option.value === value}
          tabIndex={option.value === value ? 0 : -1}
          onClick={() => onChange(option.value)}
          onKeyDown={(event) => {
            const index = options.findIndex((o) => o.value === value);
            const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
            if (step === 0) return;
            event.preventDefault();
            const next = options[(index + step + options.length) % options.length]!;
            onChange(next.value);
            const group = event.currentTarget.parentElement;
            requestAnimationFrame(() => (group?.querySelector('[aria-checked="true"]') as HTMLElement | null)?.focus());
          }}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/** A part that fails to render says so in words instead of blanking the whole page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="error-note" role="alert">
        <p>This part of the page could not be shown. Reload the page; if it happens again, tell your admin.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
