// Playback restriction policies end to end: policies made with CreatePlaybackRestrictionPolicy (@aws-sdk/client-ivs),
// three BASIC channels referencing them, ffmpeg publishing to all three at once, playback checked with fetch: allowed
// origins (exact and wildcard) reflected with `vary: origin`, other origins refused with IVS's 403 JSON body, no
// Origin allowed unless strict enforcement, strict enforcement on media playlists and segments, and allowedCountries
// read from the --viewer-country-header header. A policy changed while live applies from the next broadcast only.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  UpdatePlaybackRestrictionPolicyCommand,
  type CreatePlaybackRestrictionPolicyRequest,
} from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import {
  get,
  pollUntil,
  publish,
  rtmpUrl,
  type Fetched,
  type Running,
  type MasterPlaylist,
  type MediaPlaylist,
} from '../helpers/live.js';

const PUBLISH_SECONDS = 30;
const COUNTRY_HEADER = 'CloudFront-Viewer-Country';
const APP = 'https://app.example.com';

interface Live {
  playbackUrl: string;
  policyArn: string;
  streamKey: string;
  publisher: Running;
}

describe('live: playback restriction policies', { timeout: 90_000 }, () => {
  const { server, ivs } = useServer({ args: ['--viewer-country-header', COUNTRY_HEADER] });
  let origins: Live;
  let strict: Live;
  let countries: Live;

  async function channelWith(name: string, policy: CreatePlaybackRestrictionPolicyRequest): Promise<Live> {
    const created = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name, ...policy }));
    const policyArn = created.playbackRestrictionPolicy!.arn!;
    const { channel, streamKey } = await ivs.send(
      new CreateChannelCommand({
        name,
        type: 'BASIC',
        latencyMode: 'NORMAL',
        insecureIngest: true,
        playbackRestrictionPolicyArn: policyArn,
      }),
    );
    const key = streamKey!.value!;
    return { playbackUrl: channel!.playbackUrl!, policyArn, streamKey: key, publisher: start(key) };
  }

  const start = (key: string) => publish(rtmpUrl(server.rtmpPort, key), { seconds: PUBLISH_SECONDS, size: '320x180' });
  const fetchWith = (url: string, headers: Record<string, string> = {}) => get(url, { headers });

  /** The multivariant playlist once live (allowed with these headers), and its first media playlist's URL. */
  async function opened(live: Live, headers: Record<string, string> = {}): Promise<{ res: Fetched; mediaUrl: string }> {
    const res = await pollUntil(
      'multivariant playlist 200',
      async () => {
        const r = await fetchWith(live.playbackUrl, headers);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const master = HLS.parse(res.text) as MasterPlaylist;
    return { res, mediaUrl: new URL(master.variants[0]!.uri, live.playbackUrl).href };
  }

  async function firstSegmentUrl(mediaUrl: string, headers: Record<string, string>): Promise<string> {
    const playlist = await pollUntil('a segment', async () => {
      const res = await fetchWith(mediaUrl, headers);
      assert.equal(res.status, 200, res.text);
      const p = HLS.parse(res.text) as MediaPlaylist;
      return p.segments.length > 0 ? p : undefined;
    });
    return new URL(playlist.segments[0]!.uri, mediaUrl).href;
  }

  function assertRestricted(res: Fetched, message: RegExp): void {
    assert.equal(res.status, 403, res.text);
    const body = JSON.parse(res.text) as Array<Record<string, string>>;
    assert.equal(body.length, 1);
    assert.equal(body[0]!.error_code, 'playback_restricted');
    assert.equal(body[0]!.type, 'error');
    assert.match(body[0]!.error!, message);
  }

  before(async () => {
    origins = await channelWith('origins', { allowedOrigins: [APP, 'https://*.example.org'] });
    strict = await channelWith('strict', { allowedOrigins: [APP], enableStrictOriginEnforcement: true });
    countries = await channelWith('countries', { allowedCountries: ['US', 'CA'] });
  });

  it('allowed origins are reflected; other origins are refused; no Origin plays without strict enforcement', async () => {
    const { res, mediaUrl } = await opened(origins, { origin: APP });
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.match(res.headers.get('vary') ?? '', /origin/i);
    const wild = await fetchWith(origins.playbackUrl, { origin: 'https://www.example.org' });
    assert.equal(wild.status, 200, wild.text);
    assert.equal(wild.headers.get('access-control-allow-origin'), 'https://www.example.org');
    assertRestricted(await fetchWith(origins.playbackUrl, { origin: 'https://evil.test' }), /allowedOrigins/);
    assertRestricted(await fetchWith(origins.playbackUrl, { origin: 'https://example.org.evil.test' }), /allowedOrigins/);
    const bare = await fetchWith(origins.playbackUrl);
    assert.equal(bare.status, 200, `no Origin, not strict: ${bare.text}`);
    const segmentUrl = await firstSegmentUrl(mediaUrl, {});
    assert.equal((await fetchWith(segmentUrl)).status, 200, 'segments without Origin play when not strict');
  });

  it('strict enforcement refuses media playlists and segments without an allowed Origin', async () => {
    // Once live (the three broadcasts started together, but each goes live with its own first segment).
    const { res, mediaUrl } = await opened(strict, { origin: APP });
    assertRestricted(await fetchWith(strict.playbackUrl), /enableStrictOriginEnforcement/);
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assertRestricted(await fetchWith(mediaUrl), /enableStrictOriginEnforcement/);
    assertRestricted(await fetchWith(mediaUrl, { origin: 'https://evil.test' }), /allowedOrigins/);
    const segmentUrl = await firstSegmentUrl(mediaUrl, { origin: APP });
    const segment = await fetchWith(segmentUrl, { origin: APP });
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('access-control-allow-origin'), APP);
    assertRestricted(await fetchWith(segmentUrl), /enableStrictOriginEnforcement/);
    assertRestricted(await fetchWith(segmentUrl, { origin: 'https://evil.test' }), /allowedOrigins/);
  });

  it('allowedCountries is checked against the configured viewer-country header', async () => {
    const us = { [COUNTRY_HEADER]: 'US' };
    const { res, mediaUrl } = await opened(countries, us);
    assert.equal(res.headers.get('access-control-allow-origin'), '*', 'no origin rules: CORS as for any public channel');
    assert.equal((await fetchWith(countries.playbackUrl, { [COUNTRY_HEADER]: 'ca' })).status, 200, 'case-insensitive');
    assertRestricted(await fetchWith(countries.playbackUrl, { [COUNTRY_HEADER]: 'FR' }), /country/);
    assertRestricted(await fetchWith(countries.playbackUrl), /country/);
    const segmentUrl = await firstSegmentUrl(mediaUrl, us);
    assert.equal((await fetchWith(segmentUrl, us)).status, 200);
    assertRestricted(await fetchWith(segmentUrl, { [COUNTRY_HEADER]: 'FR' }), /country/);
    assertRestricted(await fetchWith(mediaUrl, { [COUNTRY_HEADER]: 'FR' }), /country/);
  });

  it('a policy updated during a broadcast applies from the next broadcast', async () => {
    const us = { [COUNTRY_HEADER]: 'US' };
    await ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn: countries.policyArn, allowedCountries: ['FR'] }));
    const res = await fetchWith(countries.playbackUrl, us);
    assert.equal(res.status, 200, 'the live stream keeps the policy it started with');
    await countries.publisher.kill();
    await pollUntil('the broadcast over', async () => (await fetchWith(countries.playbackUrl, us)).status === 404);
    const next = start(countries.streamKey);
    await opened(countries, { [COUNTRY_HEADER]: 'FR' });
    assertRestricted(await fetchWith(countries.playbackUrl, us), /country/);
    assert.ok(!next.done(), 'the next broadcast is live');
  });
});
