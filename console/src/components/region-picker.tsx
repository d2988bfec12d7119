// The region picker: IVS's regions plus any other region name (openivs accepts any; resources are per region).

import { useState } from 'preact/hooks';

export const IVS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2',
];

export function RegionPicker({ value, onChange, compact }: { value: string; onChange: (r: string) => void; compact?: boolean }) {
  const known = IVS_REGIONS.includes(value);
  const [custom, setCustom] = useState(!known);
  const select = (
    <select name="region" aria-label="Region" value={custom ? '*' : value} onChange={(e) => {
      const v = (e.currentTarget as HTMLSelectElement).value;
      if (v === '*') setCustom(true);
      else {
        setCustom(false);
        onChange(v);
      }
    }}>
      {IVS_REGIONS.map((r) => <option key={r} value={r}>{r}</option>)}
      <option value="*">other…</option>
    </select>
  );
  const other = custom && (
    <input name="customRegion" aria-label="Region name" value={value} placeholder="e.g. local-1"
      onChange={(e) => onChange((e.currentTarget as HTMLInputElement).value.trim())} />
  );
  if (compact) return <span class="region-picker">{select}{other}</span>;
  return (
    <label class="field" data-field="region">
      <span class="field-label">Region</span>
      <span class="region-picker">{select}{other}</span>
    </label>
  );
}
