// Hash routing (#/channels, #/channel/<arn>, …): the server serves one page, so any route survives a reload.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'sign-in' }
  | { page: 'channels' }
  | { page: 'channel-new' }
  | { page: 'channel'; arn: string }
  | { page: 'channel-edit'; arn: string }
  | { page: 'recording-configurations' }
  | { page: 'playback-keys' }
  | { page: 'restriction-policies' }
  | { page: 'tags' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  switch (parts[0]) {
    case 'sign-in': return { page: 'sign-in' };
    case 'channels': return parts[1] === 'new' ? { page: 'channel-new' } : { page: 'channels' };
    case 'channel':
      if (!parts[1]) return { page: 'channels' };
      return parts[2] === 'edit' ? { page: 'channel-edit', arn: parts[1] } : { page: 'channel', arn: parts[1] };
    case 'recording-configurations': return { page: 'recording-configurations' };
    case 'playback-keys': return { page: 'playback-keys' };
    case 'restriction-policies': return { page: 'restriction-policies' };
    case 'tags': return { page: 'tags' };
    default: return { page: 'channels' };
  }
}

export const channelHref = (arn: string, edit = false) => `#/channel/${encodeURIComponent(arn)}${edit ? '/edit' : ''}`;

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
