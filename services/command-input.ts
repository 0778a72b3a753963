/**
 * The input of a command checked by the services against its fields in the commands table
 * (domain/commands.ts), whoever sends it (the API after its route schema, the CLI through the API,
 * a script calling a service): the same rules the route schemas are derived from.
 */
import { blankNoteProblem, commandFields, type CommandBody, type CommandName, type FieldRule } from '../domain/commands.js';
import { refusalError } from '../domain/errors.js';
import { noteProblem, showsNothing } from '../domain/text.js';
import { isCalendarDate } from '../domain/package-rules.js';
import { ValidationError, type FieldIssue } from './package-input.js';

type Checked = { value: unknown } | { problem: string };

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** A free-text note: a string, storable, not too long, not blank when required; trimmed ('' when left out or when it shows nothing). */
function checkedNote(value: unknown, required: boolean): Checked {
  if (value === undefined || value === null || value === '') return required ? { problem: 'required' } : { value: '' };
  if (typeof value !== 'string') return { problem: `expected a string, got ${typeName(value)}` };
  const problem = noteProblem(value);
  if (problem) return { problem };
  // Spaces and invisible characters alone (zero-width spaces…) say nothing: such a note is blank.
  if (showsNothing(value)) return required ? { problem: 'must not be blank' } : { value: '' };
  return { value: value.trim() };
}

function checkedField(rule: FieldRule, value: unknown): Checked {
  switch (rule.kind) {
    case 'note':
      return checkedNote(value, rule.required);
    case 'choice':
      if (value === undefined && rule.optional) return { value };
      return rule.values.includes(value as string) ? { value } : { problem: `expected ${rule.values.map((v) => `"${v}"`).join(' or ')}` };
    case 'revision':
      if (value === undefined) return rule.optional ? { value } : { problem: `required: ${rule.description.toLowerCase()}` };
      return Number.isInteger(value) && (value as number) >= 1
        ? { value }
        : { problem: `expected a revision number (an integer from 1), got ${typeName(value)}` };
    case 'dateTime': {
      if (value === undefined && !rule.optional) return { problem: 'required' };
      const problem = rule.problem(value);
      return problem ? { problem: problem.message } : { value: value ?? null };
    }
    case 'date':
      if (value === undefined && rule.optional) return { value };
      if (value === null || value === '') return { value: null };
      return typeof value === 'string' && isCalendarDate(value) ? { value } : { problem: `expected a date written YYYY-MM-DD, got ${JSON.stringify(value)}` };
    case 'stage':
      if (value === undefined && rule.optional) return { value };
      return typeof value === 'string' && value.trim() !== '' && value.length <= 64 && noteProblem(value) === null
        ? { value: value.trim() }
        : { problem: `expected a review stage id such as "first" (or its name, 初审), got ${JSON.stringify(value) ?? 'nothing'}` };
    case 'httpUrl': {
      if (value === undefined && rule.optional) return { value };
      const text = checkedNote(value, true);
      const problem = 'value' in text ? rule.problem?.(text.value) : null;
      return problem ? { problem: problem.message } : text;
    }
  }
}

/**
 * A command's input as its fields say: a required note (a reason) left blank is refused with the
 * command's own code first, as its workflow would; every other problem is listed by field at once
 * (invalid_body). Notes come back trimmed ('' when left out), the other fields as given.
 */
export function commandInput<C extends CommandName>(command: C, body: unknown): CommandBody<C> {
  const given = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const fields = Object.entries(commandFields(command));
  for (const [name] of fields) {
    const raw = given[name];
    const blank = blankNoteProblem(command, name, typeof raw === 'string' && showsNothing(raw) ? '' : raw);
    // With the field's path, as every other field problem: the form marks the field.
    if (blank) throw refusalError(blank, { issues: [{ path: name, message: blank.message, ...(blank.messageZh ? { messageZh: blank.messageZh } : {}) }] });
  }
  const issues: FieldIssue[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, rule] of fields) {
    const checked = checkedField(rule, given[name]);
    if ('problem' in checked) issues.push({ path: name, message: checked.problem });
    else if (checked.value !== undefined) values[name] = checked.value;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return values as CommandBody<C>;
}

/**
 * A short free-text field outside the table's commands (a confirmation's note and URL): refused
 * with the field's path when it is not a string, holds characters that cannot be stored, or is too long.
 */
export function noteField(value: unknown, path: string): string {
  const checked = checkedNote(value, false);
  if ('problem' in checked) throw new ValidationError([{ path, message: checked.problem }]);
  return checked.value as string;
}
