import {
  TEXT_RULES,
  attributesProblems,
  emailProblem,
  textProblem,
  type TextRule,
} from '@ordermesh/contracts';
import { ValidateBy, type ValidationOptions } from 'class-validator';

// class-validator decorators over the shared field rules of @ordermesh/contracts: the gateway
// accepts exactly what the owning service accepts.

function rule(
  name: string,
  problem: (field: string, value: unknown) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => problem(args?.property ?? 'value', value) === undefined,
        defaultMessage: (args) =>
          problem(args?.property ?? 'value', args?.value) ?? `${args?.property} is invalid`,
      },
    },
    options,
  );
}

/** A text field under one of the shared TEXT_RULES (length after trim, no control characters). */
export const IsText = (name: keyof typeof TEXT_RULES): PropertyDecorator => {
  const textRule: TextRule = TEXT_RULES[name];
  return rule(`text:${name}`, (field, value) => textProblem(field, value, textRule));
};

export const IsEmailAddress = (): PropertyDecorator => rule('emailAddress', emailProblem);

export const IsAttributes = (): PropertyDecorator =>
  rule('attributes', (field, value) => attributesProblems(field, value)[0]);
