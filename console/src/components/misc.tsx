// Small shared pieces: the live/health badges, a copy button, a button that asks before it acts, an error banner.

import { useState } from 'preact/hooks';
import { describe } from '../lib/errors.js';

export function LiveBadge({ live, health }: { live: boolean; health?: string }) {
  if (!live) return <span class="badge offline" data-testid="offline-badge">offline</span>;
  return (
    <span class="badges">
      <span class="badge live" data-testid="live-badge">LIVE</span>
      {health && <span class={`badge health-${health.toLowerCase()}`} data-testid="health-badge">{health}</span>}
    </span>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      // No clipboard permission (e.g. plain http on another host): select the text for a manual copy instead.
      prompt('Copy this:', text);
    }
  };
  return <button type="button" class="small" onClick={copy}>{done ? 'Copied' : label}</button>;
}

interface ConfirmProps {
  label: string;
  question: string;
  onConfirm: () => Promise<unknown> | void;
  danger?: boolean;
  testId?: string;
  disabled?: boolean;
  small?: boolean;
}

/** Asks in place (no window.confirm, which tests and some browsers suppress) and reports a failure next to itself. */
export function ConfirmButton({ label, question, onConfirm, danger, testId, disabled, small }: ConfirmProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setAsking(false);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="confirm">
      {!asking && <button type="button" class={`${danger ? 'danger' : ''}${small ? ' small' : ''}`} disabled={disabled} data-testid={testId} onClick={() => setAsking(true)}>{label}</button>}
      {asking && (
        <span class="confirm-ask">
          <span>{question}</span>
          <button type="button" class={danger ? 'danger' : 'primary'} disabled={busy} data-testid={testId ? `${testId}-confirm` : undefined} onClick={act}>Yes</button>
          <button type="button" disabled={busy} onClick={() => setAsking(false)}>No</button>
        </span>
      )}
      {error && <span class="inline-error" role="alert">{error}</span>}
    </span>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return <div class="alert error" role="alert" data-testid="error-banner">{describe(error)}</div>;
}

export function Empty({ children }: { children: string }) {
  return <p class="empty">{children}</p>;
}
