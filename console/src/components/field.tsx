// Form fields with their label, hint and the API's error for that field right under them.

import type { ComponentChildren } from 'preact';

interface FieldProps {
  label: string;
  name: string;
  error?: string;
  hint?: string;
  children: ComponentChildren;
}

export function Field({ label, name, error, hint, children }: FieldProps) {
  return (
    <label class={`field${error ? ' has-error' : ''}`} data-field={name}>
      <span class="field-label">{label}</span>
      {children}
      {hint && !error && <span class="field-hint">{hint}</span>}
      {error && <span class="field-error" role="alert" data-testid={`error-${name}`}>{error}</span>}
    </label>
  );
}

interface TextProps {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  hint?: string;
  placeholder?: string;
  type?: 'text' | 'password' | 'number' | 'search';
  autoComplete?: string;
}

export function TextField(p: TextProps) {
  return (
    <Field label={p.label} name={p.name} error={p.error} hint={p.hint}>
      {/* Preact's typings narrow `type` per literal; a union of them does not type-check as one prop. */}
      <input {...({ type: p.type ?? 'text' } as { type: 'text' })} name={p.name} value={p.value} placeholder={p.placeholder} autoComplete={p.autoComplete ?? 'off'}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)} />
    </Field>
  );
}

interface SelectProps {
  label: string;
  name: string;
  value: string;
  options: readonly (string | [value: string, label: string])[];
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
}

export function SelectField(p: SelectProps) {
  return (
    <Field label={p.label} name={p.name} error={p.error} hint={p.hint}>
      <select name={p.name} value={p.value} onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {p.options.map((o) => {
          const [value, label] = typeof o === 'string' ? [o, o] : o;
          return <option key={value} value={value}>{label}</option>;
        })}
      </select>
    </Field>
  );
}

interface CheckProps {
  label: string;
  name: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  error?: string;
  hint?: string;
}

export function CheckField(p: CheckProps) {
  return (
    <label class={`field check${p.error ? ' has-error' : ''}`} data-field={p.name}>
      <span class="check-row">
        <input type="checkbox" name={p.name} checked={p.checked} onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)} />
        <span>{p.label}</span>
      </span>
      {p.hint && !p.error && <span class="field-hint">{p.hint}</span>}
      {p.error && <span class="field-error" role="alert" data-testid={`error-${p.name}`}>{p.error}</span>}
    </label>
  );
}

/** A failure of the whole form (not about one field). */
export function FormError({ message }: { message?: string }) {
  return message ? <div class="alert error" role="alert" data-testid="form-error">{message}</div> : null;
}
