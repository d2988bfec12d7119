// The console's shell: the header (account, region switch, account switch, sign-out), the navigation, the page of
// the current route and the event pane. Without a session only the sign-in page shows.

import { useEffect, useState } from 'preact/hooks';
import { EventPane } from './components/event-pane.js';
import { RegionPicker } from './components/region-picker.js';
import { navigate, useRoute, type Route } from './lib/router.js';
import { getSession, onSessionChange, setSession, type Session } from './lib/session.js';
import { ChannelDetail } from './pages/channel-detail.js';
import { ChannelForm } from './pages/channel-form.js';
import { Channels } from './pages/channels.js';
import { PlaybackKeys } from './pages/playback-keys.js';
import { RecordingConfigurations } from './pages/recording-configurations.js';
import { RestrictionPolicies } from './pages/restriction-policies.js';
import { SignIn } from './pages/sign-in.js';
import { Tags } from './pages/tags.js';

function useSession(): Session | undefined {
  const [session, set] = useState(getSession);
  useEffect(() => onSessionChange(() => set(getSession())), []);
  return session;
}

const NAV: [Route['page'], string, string][] = [
  ['channels', '#/channels', 'Channels'],
  ['recording-configurations', '#/recording-configurations', 'Recording configurations'],
  ['playback-keys', '#/playback-keys', 'Playback keys'],
  ['restriction-policies', '#/restriction-policies', 'Restriction policies'],
  ['tags', '#/tags', 'Tags'],
];

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'channel-new': return <ChannelForm session={session} />;
    case 'channel': return <ChannelDetail key={route.arn} session={session} arn={route.arn} />;
    case 'channel-edit': return <ChannelForm key={route.arn} session={session} arn={route.arn} />;
    case 'recording-configurations': return <RecordingConfigurations session={session} />;
    case 'playback-keys': return <PlaybackKeys session={session} />;
    case 'restriction-policies': return <RestrictionPolicies session={session} />;
    case 'tags': return <Tags session={session} />;
    default: return <Channels session={session} />;
  }
}

export function App() {
  const session = useSession();
  const route = useRoute();
  if (!session || route.page === 'sign-in') {
    return <div class="shell signed-out"><header class="top"><span class="brand">openivs</span></header><SignIn key={session?.accessKeyId ?? ''} /></div>;
  }
  const current = route.page === 'channel-new' || route.page === 'channel' || route.page === 'channel-edit' ? 'channels' : route.page;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/channels">openivs</a>
        <nav>
          {NAV.map(([page, href, label]) => <a key={page} href={href} class={current === page ? 'current' : ''}>{label}</a>)}
        </nav>
        <span class="spacer" />
        <span class="identity" data-testid="identity" title="access key ID">{session.accessKeyId}</span>
        <RegionPicker compact value={session.region} onChange={(region) => region && setSession({ ...session, region })} />
        <button type="button" class="small" onClick={() => navigate('#/sign-in')} data-testid="switch-account">Switch account</button>
        <button type="button" class="small" onClick={() => { setSession(undefined); navigate('#/sign-in'); }} data-testid="sign-out">Sign out</button>
      </header>
      <div class="body">
        <main key={`${session.accessKeyId}:${session.region}`}><Page route={route} session={session} /></main>
        <EventPane key={`${session.accessKeyId}:${session.region}`} session={session} />
      </div>
    </div>
  );
}
