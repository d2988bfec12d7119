// What the serving openivs told the page about itself (ports for ingest URLs, the default region) in the
// <meta name="openivs-server"> tag it adds to index.html; no inline script is allowed by the page's CSP.

export interface ServerFacts {
  rtmpPort?: number;
  rtmpsPort?: number;
  srtPort?: number;
  allowInsecureIngest: boolean;
  defaultRegion: string;
  playbackBaseUrl: string;
}

function readFacts(): ServerFacts {
  const fallback: ServerFacts = { allowInsecureIngest: false, defaultRegion: 'us-west-2', playbackBaseUrl: location.origin };
  const content = document.querySelector('meta[name="openivs-server"]')?.getAttribute('content');
  if (!content) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(content) as Partial<ServerFacts>) };
  } catch {
    return fallback;
  }
}

export const serverFacts: ServerFacts = readFacts();
