// The shape shared by the pages of account resources that are listed, created and deleted (playback key pairs,
// restriction policies, recording configurations): a page with its heading, the list's error, an empty note or a
// table (name, the resource's own columns, id, a Delete that asks first) and, below it, the create form; and that
// form's common part: the API's validation errors by field, the tags editor, the submit button that is disabled
// while a call runs.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { FormError } from './field.js';
import { ConfirmButton, Empty, ErrorBanner } from './misc.js';
import { rowsToTags, TagsEditor, type TagRows } from './tags-editor.js';
import { fieldErrors } from '../lib/errors.js';
import { arnId } from '../lib/format.js';
import type { Loaded } from '../lib/hooks.js';

export interface Column<T> {
  title: string;
  cell: (item: T) => ComponentChildren;
  mono?: boolean;
}

interface ResourcePageProps<T extends { arn?: string; name?: string }> {
  testId: string;
  title: string;
  /** What the list has loaded; reloaded after a delete. */
  list: Loaded<T[]>;
  empty: string;
  rowTestId: string;
  /** Extra attributes of a row (e.g. data-state), for tests and styles. */
  rowAttributes?: (item: T) => Record<string, string | undefined>;
  /** The columns between the name and the id. */
  columns: Column<T>[];
  deleteQuestion: string;
  remove: (arn: string) => Promise<unknown>;
  /** The create form, under the list. */
  children: ComponentChildren;
}

export function ResourcePage<T extends { arn?: string; name?: string }>(props: ResourcePageProps<T>) {
  const { list, columns } = props;
  const remove = async (arn: string) => {
    await props.remove(arn);
    list.reload();
  };
  return (
    <section data-testid={props.testId}>
      <div class="page-head"><h1>{props.title}</h1></div>
      <ErrorBanner error={list.error} />
      {list.value?.length === 0 && <Empty>{props.empty}</Empty>}
      {list.value && list.value.length > 0 && (
        <table class="list">
          <thead><tr><th>Name</th>{columns.map((c) => <th key={c.title}>{c.title}</th>)}<th>Id</th><th /></tr></thead>
          <tbody>
            {list.value.map((item) => (
              <tr key={item.arn} data-testid={props.rowTestId} {...props.rowAttributes?.(item)}>
                <td>{item.name || <em>(unnamed)</em>}</td>
                {columns.map((c) => <td key={c.title} class={c.mono ? 'mono' : undefined}>{c.cell(item)}</td>)}
                <td class="mono">{arnId(item.arn)}</td>
                <td class="row-actions"><ConfirmButton small label="Delete" danger question={props.deleteQuestion} onConfirm={() => remove(item.arn!)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.children}
    </section>
  );
}

interface CreateFormProps {
  testId: string;
  title: string;
  submitLabel: string;
  submitTestId: string;
  /** The request's fields whose validation errors show next to them ('tags' is added), and message words that name them. */
  fields: string[];
  aliases?: Record<string, string>;
  /** Sends the create call with the tags typed in; resets the page's own fields once it succeeded. */
  create: (tags: Record<string, string> | undefined) => Promise<unknown>;
  onCreated: () => void;
  /** The resource's own fields, given the errors by field. */
  children: (errors: Record<string, string>) => ComponentChildren;
}

export function CreateForm(props: CreateFormProps) {
  const [tags, setTags] = useState<TagRows>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      await props.create(rowsToTags(tags));
      props.onCreated();
    } catch (err) {
      setErrors(fieldErrors(err, [...props.fields, 'tags'], { ...props.aliases, 'tag key': 'tags' }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form-grid" onSubmit={submit} data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.children(errors)}
      <TagsEditor rows={tags} onChange={setTags} error={errors.tags} />
      <FormError message={errors['']} />
      <div class="actions"><button class="primary" type="submit" disabled={busy} data-testid={props.submitTestId}>{props.submitLabel}</button></div>
    </form>
  );
}
