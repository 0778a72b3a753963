/**
 * The request bodies of the package, delivery and channel commands, derived from the commands
 * table (domain/commands.ts): the table says what each field is (a release time, a reason, a
 * choice) and whether it may be left out; this file says it in JSON Schema, once per kind.
 */
import { Type, type TSchema } from 'typebox';
import { COMMANDS, type CommandName, type FieldRule } from '../../domain/commands.js';
import { dateTime, httpUrl, note, requiredNote } from './common.js';

/** The TypeScript type a field of a kind arrives as, so handlers keep their types. */
type FieldValue<F> = F extends { kind: 'dateTime' }
  ? string | null
  : F extends { kind: 'note' | 'httpUrl' }
    ? string
    : F extends { kind: 'revision' }
      ? number
      : F extends { kind: 'choice'; values: readonly (infer V)[] }
        ? V
        : never;

type InputOf<C extends CommandName> = (typeof COMMANDS)[C] extends { input: infer I } ? I : Record<string, never>;
type Required<I> = { -readonly [K in keyof I as I[K] extends { optional: true } ? never : K]: FieldValue<I[K]> };
type Optional<I> = { -readonly [K in keyof I as I[K] extends { optional: true } ? K : never]?: FieldValue<I[K]> };
export type CommandBody<C extends CommandName> = Required<InputOf<C>> & Optional<InputOf<C>>;

/** One field of a command as JSON Schema. */
export function fieldSchema(rule: FieldRule): TSchema {
  const schema = (() => {
    switch (rule.kind) {
      case 'dateTime':
        return dateTime(rule.description);
      case 'note':
        return rule.required ? requiredNote(rule.description) : note(rule.description);
      case 'choice':
        return Type.Enum([...rule.values]);
      case 'revision':
        return Type.Integer({ minimum: 1, description: rule.description });
      case 'httpUrl':
        return httpUrl(rule.description);
    }
  })();
  return rule.optional ? Type.Optional(schema) : schema;
}

/** A command's body: its fields from the table, and nothing else. */
function commandBody<C extends CommandName>(command: C) {
  const input: Record<string, FieldRule> = 'input' in COMMANDS[command] ? (COMMANDS[command] as { input: Record<string, FieldRule> }).input : {};
  const properties = Object.fromEntries(Object.entries(input).map(([name, rule]) => [name, fieldSchema(rule)]));
  return Type.Unsafe<CommandBody<C>>(Type.Object(properties, { additionalProperties: false }));
}

/** Every command body a route takes, by command. */
export const commandBodies = {
  withdraw: commandBody('withdraw'),
  decide: commandBody('decide'),
  schedule: commandBody('schedule'),
  retract: commandBody('retract'),
  skipDelivery: commandBody('skipDelivery'),
  confirmDelivery: commandBody('confirmDelivery'),
  pauseChannel: commandBody('pauseChannel'),
};

export const DecisionBody = commandBodies.decide;
