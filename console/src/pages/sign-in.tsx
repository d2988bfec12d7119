// Sign-in: an access key id and secret (checked with a ListChannels call before they are kept) and a region. Used
// for the first sign-in and to switch accounts: the current session stays until the new credentials work.

import { ListChannelsCommand } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { TextField, FormError } from '../components/field.js';
import { RegionPicker } from '../components/region-picker.js';
import { describe } from '../lib/errors.js';
import { trialClient } from '../lib/ivs.js';
import { navigate } from '../lib/router.js';
import { serverFacts } from '../lib/server-facts.js';
import { getSession, setSession } from '../lib/session.js';

export function SignIn() {
  const current = getSession();
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [region, setRegion] = useState(current?.region ?? serverFacts.defaultRegion);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (!accessKeyId.trim() || !secret) return setError('Enter an access key ID and its secret access key.');
    const session = { accessKeyId: accessKeyId.trim(), secretAccessKey: secret, region };
    setBusy(true);
    const client = trialClient(session);
    try {
      await client.send(new ListChannelsCommand({ maxResults: 1 }));
      setSession(session);
      navigate('#/channels');
    } catch (err) {
      setError(`Sign-in failed. ${describe(err)}`);
    } finally {
      client.destroy();
      setBusy(false);
    }
  };

  return (
    <div class="sign-in">
      <form class="card narrow" onSubmit={submit} data-testid="sign-in-form">
        <h1>{current ? 'Switch account' : 'Sign in to openivs'}</h1>
        <p class="muted">
          Your credentials stay in this browser tab (sessionStorage) and only sign requests (SigV4); they are never sent.
          A fresh <code>npm start</code> accepts <code>test</code> / <code>test</code>.
        </p>
        <TextField label="Access key ID" name="accessKeyId" value={accessKeyId} onInput={setAccessKeyId} autoComplete="username" />
        <TextField label="Secret access key" name="secretAccessKey" type="password" value={secret} onInput={setSecret} autoComplete="current-password" />
        <RegionPicker value={region} onChange={setRegion} />
        <FormError message={error} />
        <div class="actions">
          <button class="primary" type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
          {current && <button type="button" onClick={() => navigate('#/channels')}>Cancel</button>}
        </div>
      </form>
    </div>
  );
}
