// The event pane: the signed-in account's events (in its region) as they happen, from openivs's SigV4-presigned
// Server-Sent Events stream (/_openivs/events). The URL is presigned for 15 minutes; when the server ends the stream
// at expiry (or it drops), a fresh URL is signed and the stream resumes after the last event seen.

import { useEffect, useState } from 'preact/hooks';
import { eventStreamUrl } from '../lib/openivs.js';
import { clock } from '../lib/format.js';
import { channelHref } from '../lib/router.js';
import type { Session } from '../lib/session.js';

interface FeedEvent {
  id: string;
  'detail-type': string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
}

const MAX_EVENTS = 200;
const DETAIL_TYPES = ['IVS Stream State Change', 'IVS Stream Health Change', 'IVS Limit Breach', 'IVS Recording State Change'];

function eventName(e: FeedEvent): string {
  const d = e.detail;
  return String(d.event_name ?? d.recording_status ?? d.limit_name ?? e['detail-type']);
}

export function EventPane({ session }: { session: Session }) {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [status, setStatus] = useState<'connecting' | 'open' | 'retrying'>('connecting');
  const [open, setOpen] = useState(true);
  useEffect(() => {
    let source: EventSource | undefined;
    let lastId: string | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onEvent = (m: MessageEvent<string>) => {
      lastId = m.lastEventId || lastId;
      try {
        const e = JSON.parse(m.data) as FeedEvent;
        setEvents((list) => [e, ...list.filter((x) => x.id !== e.id)].slice(0, MAX_EVENTS));
      } catch {
        // not an event envelope: ignore
      }
    };
    const connect = async () => {
      if (stopped) return;
      setStatus('connecting');
      try {
        source = new EventSource(await eventStreamUrl(session, lastId));
      } catch {
        timer = setTimeout(connect, 3000);
        return;
      }
      source.onopen = () => setStatus('open');
      for (const type of DETAIL_TYPES) source.addEventListener(type, onEvent as EventListener);
      source.onerror = () => {
        // EventSource retries by itself with the same URL; a URL that expired gets a 403 and closes it for good.
        if (source?.readyState === EventSource.CLOSED) {
          setStatus('retrying');
          source.close();
          timer = setTimeout(connect, 1000);
        }
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [session]);
  return (
    <aside class={`event-pane${open ? '' : ' collapsed'}`} data-testid="event-pane" data-status={status}>
      <header>
        <button type="button" class="small" onClick={() => setOpen(!open)} aria-expanded={open}>{open ? 'Hide' : 'Events'}</button>
        {open && <h2>Events <span class={`dot ${status}`} title={status} /></h2>}
      </header>
      {open && (
        <ol class="events">
          {events.length === 0 && <li class="empty">Events of this account appear here as they happen.</li>}
          {events.map((e) => (
            <li key={e.id} data-testid="event" data-detail-type={e['detail-type']}>
              <time>{clock(e.time)}</time>
              <strong>{eventName(e)}</strong>
              <span class="muted">{e['detail-type'].replace(/^IVS /, '')}</span>
              {e.resources[0] && <a href={channelHref(e.resources[0])}>{String(e.detail.channel_name || e.resources[0].slice(-12))}</a>}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
