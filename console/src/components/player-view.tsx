// A <video> driven by the console's player, which is loaded on first use (its own chunk, with hls.js). Shows the
// player's state; `data-state` carries it for tests.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { PlayerState } from '../player/hls-player.js';

interface Props {
  src: string;
  live: boolean;
  testId: string;
  onMetadata?: (text: string, pts: number) => void;
}

export function PlayerView({ src, live, testId, onMetadata }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<{ state: PlayerState; message: string }>({ state: 'loading', message: 'Loading the player…' });
  const history = useRef<string[]>([]);
  const metadata = useRef(onMetadata);
  metadata.current = onMetadata;
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    import('../player/hls-player.js').then(({ play }) => {
      if (cancelled || !video.current) return;
      stop = play(video.current, src, {
        live,
        onState: (s, message) => {
          history.current = [...history.current.slice(-9), s];
          setState({ state: s, message });
        },
        onMetadata: (text, pts) => metadata.current?.(text, pts),
      });
    }, (err: unknown) => setState({ state: 'error', message: `The player did not load: ${String(err)}` }));
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [src, live]);
  return (
    <div class="player">
      <video ref={video} data-testid={testId} muted playsInline controls />
      <div class={`player-state state-${state.state}`} data-testid={`${testId}-state`} data-state={state.state} data-history={history.current.join(' ')}>{state.message}</div>
    </div>
  );
}
