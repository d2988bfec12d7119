// Editing a resource's tags as key/value rows (CreateX's `tags`, or TagResource/UntagResource on a page).

export type TagRows = [key: string, value: string][];

export const rowsToTags = (rows: TagRows): Record<string, string> | undefined => {
  const filled = rows.filter(([k]) => k.trim() !== '');
  return filled.length === 0 ? undefined : Object.fromEntries(filled.map(([k, v]) => [k.trim(), v]));
};

export const tagsToRows = (tags: Record<string, string> | undefined): TagRows => Object.entries(tags ?? {});

export function TagsEditor({ rows, onChange, error }: { rows: TagRows; onChange: (rows: TagRows) => void; error?: string }) {
  const set = (i: number, at: 0 | 1, v: string) => onChange(rows.map((r, j) => (j === i ? (at === 0 ? [v, r[1]] : [r[0], v]) : r)));
  return (
    <fieldset class={`tags-editor${error ? ' has-error' : ''}`} data-field="tags">
      <legend>Tags</legend>
      {rows.map(([k, v], i) => (
        <div class="tag-row" key={i}>
          <input placeholder="key" value={k} aria-label="tag key" onInput={(e) => set(i, 0, (e.currentTarget as HTMLInputElement).value)} />
          <input placeholder="value" value={v} aria-label="tag value" onInput={(e) => set(i, 1, (e.currentTarget as HTMLInputElement).value)} />
          <button type="button" class="small" onClick={() => onChange(rows.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" class="small" onClick={() => onChange([...rows, ['', '']])}>Add tag</button>
      {error && <span class="field-error" role="alert" data-testid="error-tags">{error}</span>}
    </fieldset>
  );
}
