/**
 * The request bodies of the package, delivery and channel commands, derived from the commands
 * table (domain/commands.ts): the table says what each field is (a release time, a reason, a
 * choice) and whether it may be left out; this file says it in JSON Schema, once per kind.
 */
import { Type, type TSchema } from 'typebox';
import { commandFields, type CommandBody, type CommandName, type FieldRule } from '../../domain/commands.js';
import { dateTime, httpUrl, note, requiredNote, revisionNumber } from './common.js';

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
        return revisionNumber(rule.description);
      case 'httpUrl':
        return httpUrl(rule.description);
      case 'stage':
        return Type.String({ minLength: 1, maxLength: 64, description: rule.description });
      case 'date':
        return Type.Union([Type.String({ format: 'date', description: rule.description }), Type.Null()]);
    }
  })();
  return rule.optional ? Type.Optional(schema) : schema;
}

/** A command's body: its fields from the table, and nothing else. */
function commandBody<C extends CommandName>(command: C) {
  const properties = Object.fromEntries(Object.entries(commandFields(command)).map(([name, rule]) => [name, fieldSchema(rule)]));
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
  changeValidity: commandBody('changeValidity'),
};

export const DecisionBody = commandBodies.decide;
